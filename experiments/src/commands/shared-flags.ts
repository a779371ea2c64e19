/** Flags several commands share, defined once so their help reads the same everywhere. */
export const json = { type: 'boolean', help: 'print a JSON document (for `run`: as the last line)' } as const;
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
  help: 'tfjs backend: auto, node-gpu, node, wasm or cpu (default: YOTO_BACKEND, else auto)',
} as const;
export const queue = {
  type: 'string',
  value: 'redis://host:port',
  help: 'the Redis job queue shared with `exp worker`s (see README: Many machines)',
} as const;
