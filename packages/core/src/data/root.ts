import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variable naming the data root (CI sets it to the shared data folder). */
export const DATA_ROOT_ENV = 'YOTO_DATA';

/**
 * The folder datasets live under: the explicit flag, else `$YOTO_DATA`, else a per-user cache
 * folder (`$XDG_CACHE_HOME/yoto/data`, or `~/.cache/yoto/data`). Returned as an absolute path so
 * error messages and recorded configs are unambiguous. The folder is not created here.
 */
export function resolveDataRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag.trim() !== '') return resolve(flag);
  const fromEnv = env[DATA_ROOT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return resolve(fromEnv);
  return defaultDataRoot(env);
}

/** The per-user cache folder used when neither a flag nor `YOTO_DATA` names a root. */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const cache = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(cache, 'yoto', 'data');
}
