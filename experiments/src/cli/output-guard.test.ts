// The output guard on real files: the same file reached by another spelling, a symlink or a hard
// link is an input; an existing file needs --force; a folder is never a file to write.
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { guardOutput } from './output-guard.js';

const dir = mkdtempSync(join(tmpdir(), 'yoto-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'model.ckpt');
writeFileSync(input, 'trained weights');
mkdirSync(join(dir, 'sub'));

function refusal(output: string, force = false, extension?: string): string {
  try {
    guardOutput(output, { inputs: [input], force, extension });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  return '';
}

describe('guardOutput', () => {
  it('refuses an input, however it is spelled, even with --force', () => {
    expect(refusal(input, true)).toContain('is also an input of this command');
    expect(refusal(join(dir, 'sub', '..', 'model.ckpt'), true)).toContain('is also an input');
    symlinkSync(input, join(dir, 'link.ckpt'));
    expect(refusal(join(dir, 'link.ckpt'), true)).toContain('is also an input');
    symlinkSync(join(dir, 'sub'), join(dir, 'alias'));
    symlinkSync(input, join(dir, 'sub', 'model.ckpt'));
    expect(refusal(join(dir, 'alias', 'model.ckpt'), true)).toContain('is also an input');
    linkSync(input, join(dir, 'hard.ckpt'));
    expect(refusal(join(dir, 'hard.ckpt'), true)).toContain('is also an input');
  });

  it('refuses an existing file unless --force, and a folder always', () => {
    writeFileSync(join(dir, 'old.yoto'), 'x');
    expect(refusal(join(dir, 'old.yoto'))).toBe(`output ${join(dir, 'old.yoto')} already exists; pass --force to replace it`);
    expect(refusal(join(dir, 'old.yoto'), true)).toBe('');
    expect(refusal(join(dir, 'sub'), true)).toContain('is a folder');
    expect(refusal(join(dir, 'new.yoto'))).toBe('');
    expect(refusal(join(dir, 'not-yet', 'new.yoto'))).toBe('');
  });

  it('refuses another extension than the one the command writes', () => {
    expect(refusal(join(dir, 'out.png'), false, '.yoto')).toContain('name it *.yoto');
    expect(refusal(join(dir, 'OUT.YOTO'), false, '.yoto')).toBe('');
  });
});
