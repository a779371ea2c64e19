import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernelFixes } from '../register.js';

/**
 * Makes `name` the active tfjs backend with this package's fixes registered, as core's initBackend
 * does for 'wasm' and 'cpu' (tests here cannot import core: imports run core → tfjs-kernels).
 */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  registerKernelFixes();
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
}
