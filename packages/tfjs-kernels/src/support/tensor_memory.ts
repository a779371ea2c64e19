import * as tf from '@tensorflow/tfjs';

/*
 * Direct access to the storage of float32 tensors on the two synchronous backends, for host loops
 * that replace hundreds of tiny kernels (the fused Adam update). Only code that allocated a tensor
 * itself may write into its storage: tfjs assumes tensors never change, and backends cache derived
 * data by tensor id (XNNPACK keeps packed conv and matmul weights per filter id).
 */

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown; dtype: string } | undefined };
}

/** Whether `float32Storage` works on the active backend. */
export function hasHostStorage(): boolean {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'cpu';
}

/**
 * A Float32Array over the tensor's own memory on wasm (a view of the heap) or cpu (its values), or
 * null where that is not possible. A wasm view is invalidated by the next allocation that grows the
 * heap, so take views after allocating and use them before the next tfjs call.
 */
export function float32Storage(t: tf.TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const name = tf.getBackend();
  const size = tf.util.sizeFromShape(t.shape);
  if (name === 'wasm') {
    const b = tf.backend() as unknown as WasmBackendLike;
    const d = b.dataIdMap.get(t.dataId);
    if (!d || d.dtype !== 'float32') return null;
    return new Float32Array(b.wasm.HEAPU8.buffer, d.memoryOffset, size);
  }
  if (name === 'cpu') {
    const d = (tf.backend() as unknown as CpuBackendLike).data.get(t.dataId);
    return d && d.values instanceof Float32Array && d.values.length === size ? d.values : null;
  }
  return null;
}

/** A new float32 tensor whose contents the caller must fill in (through `float32Storage`). */
export function allocateFloat32(shape: number[]): tf.Tensor {
  if (tf.getBackend() === 'wasm') {
    const b = tf.backend() as unknown as WasmBackendLike;
    return tf.engine().makeTensorFromTensorInfo(b.makeOutput(shape, 'float32'));
  }
  return tf.tensor(new Float32Array(tf.util.sizeFromShape(shape)), shape, 'float32');
}
