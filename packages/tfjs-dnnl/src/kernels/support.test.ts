import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backpropInfo } from './support.js';

const dy = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => ({ dataId: {}, shape, dtype }) as tf.TensorInfo;

describe('backpropInfo (the backprop kernels’ one shape check)', () => {
  const attrs = { strides: [2, 2] as [number, number], pad: 'same' as const, dilations: 1 };
  it('resolves a dense backprop without dilations, whatever the attributes say', () => {
    const info = backpropInfo({ ...attrs, dilations: 2 }, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4, 6]), [])!;
    expect(info.outShape).toEqual([2, 5, 4, 6]);
    expect([info.dilationHeight, info.dilationWidth]).toEqual([1, 1]);
  });

  it('keeps a depthwise backprop’s dilations', () => {
    const info = backpropInfo({ strides: 1, pad: 'same', dilations: 2 }, [1, 9, 9, 4], [3, 3, 4, 2], dy([1, 9, 9, 8]), [], true)!;
    expect([info.dilationHeight, info.dilationWidth, info.outChannels]).toEqual([2, 2, 8]);
  });

  it('hands dy of the wrong shape, NCHW, int32 and rounding modes to the wrapped kernel (null)', () => {
    expect(backpropInfo(attrs, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 5, 6]), [])).toBeNull();
    expect(backpropInfo(attrs, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4, 7]), [])).toBeNull();
    expect(backpropInfo(attrs, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4]), [])).toBeNull();
    expect(backpropInfo({ ...attrs, dataFormat: 'NCHW' }, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4, 6]), [])).toBeNull();
    expect(backpropInfo(attrs, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4, 6], 'int32'), [])).toBeNull();
    expect(backpropInfo({ ...attrs, dimRoundingMode: 'floor' }, [2, 9, 8, 3], [5, 3, 3, 6], dy([2, 5, 4, 6]), [])).toBeNull();
  });
});
