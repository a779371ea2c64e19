import { existsSync } from 'node:fs';
import { openTracker, type Tracker } from '@yoto/tracker';
import type { CliIo } from '../cli/main.js';
import { resolveHome } from '../runner/home.js';

/** Opens the tracker of YOTO_HOME for reading; a missing DB is explained, not created. */
export function openHomeTracker(io: CliIo): Tracker {
  const home = resolveHome(io.env, io.cwd);
  if (!existsSync(home.db))
    throw new Error(`no tracker database at ${home.db}: nothing has run under this YOTO_HOME yet (try \`pnpm exp run vae-beta-sweep\`)`);
  return openTracker(home.db, { create: false });
}
