import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** 1/x, multithreaded (native/elementwise.cc). */
export const reciprocal: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Reciprocal', x);
