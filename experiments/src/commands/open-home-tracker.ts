import { openTracker, type Tracker } from '@yoto/tracker';
import type { CliIo } from '../cli/main.js';
import { checkHome, resolveHome } from '../runner/home.js';

/** Opens the tracker of YOTO_HOME for reading; a missing DB is explained (suggesting `experiment`), not created. */
export function openHomeTracker(io: CliIo, experiment?: string): Tracker {
  const home = resolveHome(io.env, io.cwd);
  checkHome(home, 'read', experiment);
  return openTracker(home.db, { create: false });
}
