import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataRoot, resolveDataRoot } from './root.js';

describe('resolveDataRoot', () => {
  it('prefers the flag, then YOTO_DATA, then the cache folder', () => {
    const env = { YOTO_DATA: '/data/env', XDG_CACHE_HOME: '/xdg', HOME: '/home/u' };
    expect(resolveDataRoot('/data/flag', env)).toBe('/data/flag');
    expect(resolveDataRoot(undefined, env)).toBe('/data/env');
    expect(resolveDataRoot('', env)).toBe('/data/env');
    expect(resolveDataRoot(undefined, { XDG_CACHE_HOME: '/xdg', HOME: '/home/u' })).toBe(join('/xdg', 'yoto', 'data'));
    expect(resolveDataRoot(undefined, { HOME: '/home/u' })).toBe(join('/home/u', '.cache', 'yoto', 'data'));
  });

  it('makes a relative flag absolute and ignores a relative XDG_CACHE_HOME', () => {
    expect(resolveDataRoot('rel/dir', {})).toBe(resolve('rel/dir'));
    expect(defaultDataRoot({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe(join('/h', '.cache', 'yoto', 'data'));
  });
});
