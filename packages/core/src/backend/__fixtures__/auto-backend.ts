// Child process for init.test.ts: initialises the backend twice and prints what it got, so the
// test can read both the result and what was said on stderr.
import { initBackend } from '../init.js';

const first = await initBackend(process.argv[2] ?? 'auto').catch((e: Error) => ({ error: e.message }));
const second = await initBackend('wasm').then(() => initBackend(process.argv[2] ?? 'auto')).catch((e: Error) => ({ error: e.message }));
process.stdout.write(`${JSON.stringify({ first, second })}\n`);
