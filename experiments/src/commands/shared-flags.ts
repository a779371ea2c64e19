import { BACKEND_CHOICES } from '@yoto/core/backend-choices';

/** Flags several commands share, defined once so their help reads the same everywhere. */
export const json = { type: 'boolean', help: 'print a JSON document' } as const;
/** `run` prints its progress lines first, so its document is the last line. */
export const jsonLastLine = { ...json, help: 'print a JSON document as the last line (after the progress lines)' } as const;
export const profile = { type: 'string', value: 'name', help: 'profile: smoke, default or full (see `exp list`)' } as const;
export const force = { type: 'boolean', help: 'replace the output file if it exists (never one the command reads)' } as const;
export const set = {
  type: 'string',
  multiple: true,
  value: 'key=value',
  help: 'override a config value by dotted path (repeatable; `exp show-config <experiment>` lists the keys)',
} as const;
export const backend = {
  type: 'string',
  value: 'b',
  // Built from the list initBackend understands, so a new backend shows up here too.
  help: `tfjs backend: ${BACKEND_CHOICES.join(', ')} (default: YOTO_BACKEND, else auto)`,
} as const;
export const queue = {
  type: 'string',
  value: 'redis://host:port',
  help: 'the Redis job queue shared with `exp worker`s (see README: Many machines)',
} as const;
