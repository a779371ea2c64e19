import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpecs } from './args.js';

const specs: FlagSpecs = {
  profile: { type: 'string', help: '' },
  workers: { type: 'int', help: '' },
  json: { type: 'boolean', help: '' },
  set: { type: 'string', multiple: true, help: '' },
  format: { type: 'string', choices: ['csv', 'json'], help: '' },
};

describe('parseArgs', () => {
  it('parses both flag forms, booleans, repeats and positionals', () => {
    expect(parseArgs(['exp1', '--profile', 'smoke', '--workers=3', '--json', '--set', 'a=1', '--set=b=2'], specs, 'run')).toEqual({
      positionals: ['exp1'],
      flags: { profile: 'smoke', workers: 3, json: true, set: ['a=1', 'b=2'] },
    });
  });

  it('names unknown flags and lists the known ones', () => {
    expect(() => parseArgs(['--worker', '2'], specs, 'run')).toThrow(
      "unknown option '--worker' for 'run'; options: --profile, --workers, --json, --set, --format",
    );
    expect(() => parseArgs(['-w'], specs, 'run')).toThrow("unknown option '-w'");
  });

  it('refuses bad values', () => {
    expect(() => parseArgs(['--workers', 'two'], specs, 'run')).toThrow("--workers expects an integer, got 'two'");
    expect(() => parseArgs(['--workers'], specs, 'run')).toThrow('--workers needs a value');
    expect(() => parseArgs(['--profile', '--json'], specs, 'run')).toThrow('--profile needs a value');
    expect(() => parseArgs(['--format', 'xml'], specs, 'run')).toThrow("--format must be one of csv, json, got 'xml'");
    expect(() => parseArgs(['--json=maybe'], specs, 'run')).toThrow('--json takes no value or true/false');
    expect(() => parseArgs(['--profile', 'a', '--profile', 'b'], specs, 'run')).toThrow('--profile is given twice');
  });
});
