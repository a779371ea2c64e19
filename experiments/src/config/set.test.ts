import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { canonicalJson, configHash } from './hash.js';
import { checkInside, checkRange, choice, count, flag, numbers, positive, section, text } from './keys.js';
import { applySets, resolveConfig, settableKeys } from './set.js';

// A config written the way experiments write theirs: one line a key.
const schema = z
  .strictObject({
    seed: z.int().default(1),
    lr: positive(0.001, 'learning rate'),
    name: text('x', 'a name'),
    on: flag(true, 'a switch'),
    mode: choice(['fast', 'slow'], 'fast', 'a mode'),
    train: section({ steps: count(100, 'budget', 'steps'), betas: numbers([0.5, 2], 'betas') }),
    range: section({ low: positive(0.5, 'low'), high: positive(4, 'high') }),
    tags: z.array(z.string()).default(['a']),
    sizes: z.array(z.int().min(1)).default([8]),
  })
  .superRefine((c, ctx) => {
    checkRange(ctx, 'range', c.range);
    checkInside(ctx, 'train.betas', c.train.betas, c.range, 'β');
  });

const resolve = (sets: string[], input: unknown = {}) => resolveConfig(schema, applySets(schema, input, sets));

describe('--set against a schema', () => {
  it('parses each value by the kind the schema gives the key, over the defaults', () => {
    expect(resolve(['train.steps=250', 'lr=3e-4', 'on=false', 'train.betas=1/2,1,4', 'name=y', 'tags=b,c', 'mode=slow', 'sizes=4,16', 'lr=1'])).toEqual({
      seed: 1,
      lr: 1,
      name: 'y',
      on: false,
      mode: 'slow',
      train: { steps: 250, betas: [0.5, 1, 4] },
      range: { low: 0.5, high: 4 },
      tags: ['b', 'c'],
      sizes: [4, 16],
    });
  });

  it('lays --set over a profile without touching the profile', () => {
    const profile = { train: { steps: 10 } };
    expect(resolve(['train.betas=1'], profile).train).toEqual({ steps: 10, betas: [1] });
    expect(profile).toEqual({ train: { steps: 10 } });
  });

  it('refuses text that is not of the key’s kind, in one line naming the key and the kind', () => {
    const bad = (set: string, message: string) => {
      expect(() => resolve([set])).toThrow(UsageError);
      expect(() => resolve([set])).toThrow(message);
    };
    bad('train.steps=2.5', "--set train.steps: expected an integer, got '2.5'");
    bad('train.steps=many', "--set train.steps: expected an integer, got 'many'");
    bad('lr=fast', "--set lr: expected a number, got 'fast'");
    bad('on=yes', "--set on: expected true or false, got 'yes'");
    bad('mode=medium', "--set mode: expected one of fast, slow, got 'medium'");
    bad('train.betas=1,x', "--set train.betas: expected a comma-separated list of numbers (e.g. 0.5,1,4), got '1,x'");
    bad('sizes=4,4.5', "--set sizes: expected a comma-separated list of integers (e.g. 8,16), got '4,4.5'");
    bad('train.steps=99999999999999999999', '--set train.steps: 99999999999999999999 is too large; integers go up to 9007199254740991');
    bad('lr', "--set expects key=value, got 'lr'");
  });

  it('refuses unknown keys in one line with the keys the user probably meant', () => {
    expect(() => resolve(['train.step=5'])).toThrow("unknown config key 'train.step'; keys in 'train': train.steps, train.betas");
    expect(() => resolve(['train=5'])).toThrow("'train' is a group; set one of its keys: train.steps, train.betas");
    expect(() => resolve(['sed=5'])).toThrow("unknown config key 'sed'; top-level keys: seed, lr, name, on, mode, train, range, tags, sizes");
    for (const set of ['train.step=5', 'sed=5']) expect(() => resolve([set])).not.toThrow(/\n/);
  });

  it('checks values with the schema: one line naming the key, what it must be and what it got', () => {
    expect(() => resolve(['train.steps=0'])).toThrow('train.steps must be an integer ≥ 1, got 0');
    expect(() => resolve(['lr=0'])).toThrow('lr must be a number > 0, got 0');
    expect(() => resolve(['sizes=4,0'])).toThrow('sizes[1] must be an integer ≥ 1, got 0');
    expect(() => resolve(['train.betas=1,1'])).toThrow('train.betas must not list a value twice, got 1,1');
    expect(() => resolve(['range.low=8'])).toThrow('range.low must be below range.high (4), got 8');
    expect(() => resolve(['train.betas=0.5,100'])).toThrow('train.betas must lie in the YOTO range [0.5, 4] (β=100 does not), got 0.5,100');
    // A profile is held to the same rules, unknown keys included.
    expect(() => resolve([], { train: { stepz: 3 } })).toThrow("train has no key 'stepz'");
    expect(() => resolve([], { train: { steps: -1 } })).toThrow('train.steps must be an integer ≥ 1, got -1');
  });

  it('lists every leaf with its kind, meta and resolved value', () => {
    const keys = settableKeys(schema, resolve([]));
    expect(keys.map((k) => `${k.path}:${k.kind}`)).toEqual([
      'seed:integer',
      'lr:number',
      'name:string',
      'on:boolean',
      'mode:choice',
      'train.steps:integer',
      'train.betas:number[]',
      'range.low:number',
      'range.high:number',
      'tags:string[]',
      'sizes:integer[]',
    ]);
    const steps = keys.find((k) => k.path === 'train.steps')!;
    expect(steps).toMatchObject({ value: 100, meta: { description: 'budget', unit: 'steps' } });
    expect(keys.find((k) => k.path === 'mode')!.choices).toEqual(['fast', 'slow']);
  });
});

describe('configHash', () => {
  it('ignores key order and changes with any value', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1, b: 2 })).not.toBe(configHash({ a: 1, b: 3 }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});
