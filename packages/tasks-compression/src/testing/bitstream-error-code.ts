import { BitstreamError } from '../bitstream/format.js';

/** Test helper: the BitstreamError code that `fn` throws, or 'ok' when it returns; other errors propagate. */
export function bitstreamErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof BitstreamError) return err.code;
    throw err;
  }
  return 'ok';
}
