import { openTracker, type Tracker } from '@yoto/tracker';
import type { CliIo } from '../cli/main.js';
import { checkHome, resolveHome } from '../runner/home.js';

/** Opens the tracker of YOTO_HOME for reading; a missing DB is explained, not created. */
export function openHomeTracker(io: CliIo): Tracker {
  const home = resolveHome(io.env, io.cwd);
  checkHome(home, 'read');
  return openTracker(home.db, { create: false });
}
