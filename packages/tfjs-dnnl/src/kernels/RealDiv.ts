import { runBinary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** a / b with tfjs's broadcasting, multithreaded (native/elementwise.cc). */
export const realDiv: NativeBody = (addon, { inputs: { a, b } }, backend) => runBinary(addon, backend, 'RealDiv', a, b);
