import { runUnary } from './elementwise.js';
import type { NativeBody } from './support.js';

/** eˣ, multithreaded (native/elementwise.cc). */
export const exp: NativeBody = (addon, { inputs: { x } }, backend) => runUnary(addon, backend, 'Exp', x);
