import { runBinary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** (a − b)² with tfjs's broadcasting, multithreaded (native/elementwise.cc). */
export const squaredDifference: NativeBody = (addon, { inputs: { a, b } }, backend) => runBinary(addon, backend, 'SquaredDifference', a, b);
