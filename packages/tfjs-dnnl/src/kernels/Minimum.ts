import { runBinary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** min(a, b) (NaN wins, as in tfjs) with tfjs's broadcasting, multithreaded (native/elementwise.cc). */
export const minimum: NativeBody = (addon, { inputs: { a, b } }, backend) => runBinary(addon, backend, 'Minimum', a, b);
