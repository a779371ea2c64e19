import { isAbsolute, join, resolve } from 'node:path';

/** Where results live: `YOTO_HOME` (default `./yoto-results`). */
export interface Home {
  root: string;
  db: string;
  checkpoints: string;
  reports: string;
  logs: string;
}

export function resolveHome(env: NodeJS.ProcessEnv, cwd: string): Home {
  const raw = env.YOTO_HOME?.trim() || 'yoto-results';
  const root = isAbsolute(raw) ? raw : resolve(cwd, raw);
  return {
    root,
    db: join(root, 'tracker.db'),
    checkpoints: join(root, 'checkpoints'),
    reports: join(root, 'reports'),
    logs: join(root, 'logs'),
  };
}

export function checkpointDir(home: Home, runId: number): string {
  return join(home.checkpoints, String(runId));
}

/**
 * The tracker experiment a profile's runs are recorded under: the definition's name for the
 * default profile, `name@profile` otherwise, so each profile has its own report and comparisons
 * never mix a smoke model with a real one.
 */
export function recordName(experiment: string, profile: string): string {
  return profile === 'default' ? experiment : `${experiment}@${profile}`;
}

export function reportDir(home: Home, record: string): string {
  return join(home.reports, record);
}
