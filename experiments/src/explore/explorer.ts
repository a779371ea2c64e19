import type { Resolved } from '../experiments/registry.js';
import type { Home } from '../runner/home.js';
import { openTracker } from '@yoto/tracker';
import { UsageError } from '../errors.js';
import { bundlePage } from './bundle.js';
import { explorerPanel } from './panel.js';
import { serveExplorer, type RunningExplorer } from './server.js';
import { explorerState } from './state.js';

export interface ExplorerOptions {
  home: Home;
  resolved: Resolved;
  /** A YOTO run id (default: the latest finished one of the current config). */
  run?: number;
  /** Port on 127.0.0.1; absent: 7878, or any free port when that one is taken. */
  port?: number;
}

export const DEFAULT_PORT = 7878;

/** Reads the experiment's runs from the tracker, bundles the page and serves it. */
export async function startExplorer(o: ExplorerOptions): Promise<RunningExplorer & { record: string }> {
  const tracker = openTracker(o.home.db, { create: false });
  let state;
  try {
    state = await explorerState(tracker, o.home, o.resolved, o.run);
  } finally {
    tracker.close();
  }
  const { panel, route } = await explorerPanel(o.resolved.plan, o.resolved.definition.name);
  const page = await bundlePage();
  const site = { home: o.home, state, panel, page, route };
  let running: RunningExplorer;
  try {
    running = await serveExplorer(site, o.port ?? DEFAULT_PORT);
  } catch (err) {
    if (!(err instanceof UsageError) || o.port !== undefined) throw err;
    running = await serveExplorer(site, 0);
  }
  return { ...running, record: state.record };
}
