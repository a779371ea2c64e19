import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** tanh x (the entropy model's density layers), multithreaded (native/elementwise.cc). */
export const tanh: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Tanh', x);
