// `pnpm install` hook: builds the oneDNN addon with node-gyp where oneDNN is installed. The native
// kernels are optional, so this never fails the install: when the build cannot happen or fails, it
// records why in native-status.json (read by src/addon.ts to explain the fallback) and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'native-status.json');
const HEADER_DIRS = ['/usr/include', '/usr/local/include', ...(process.env.CPATH ?? '').split(':').filter(Boolean)];

function record(why) {
  writeFileSync(statusFile, `${JSON.stringify({ built: false, why }, null, 2)}\n`);
  console.warn(`@yoto/tfjs-dnnl: native kernels not built: ${why} (plain wasm kernels will be used)`);
}

if (!HEADER_DIRS.some((d) => existsSync(join(d, 'dnnl.hpp')))) {
  record('libdnnl not found; apt-get install libdnnl-dev');
} else {
  const r = spawnSync('node-gyp', ['rebuild', '--release'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    record(r.error ? `node-gyp could not run: ${r.error.message}` : `node-gyp rebuild failed (exit ${r.status}):\n${out}`);
  } else rmSync(statusFile, { force: true });
}
