import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { applySets, settableKeys } from './set.js';
import { deepMerge } from './merge.js';
import { canonicalJson, configHash } from './hash.js';

const base = { seed: 1, lr: 0.001, name: 'x', on: true, train: { steps: 100, betas: [0.5, 2] }, tags: ['a'] };

describe('applySets', () => {
  it('sets dotted keys with values parsed by the default value’s type', () => {
    const out = applySets(base, ['train.steps=250', 'lr=3e-4', 'on=false', 'train.betas=1/8,4,64', 'name=y', 'tags=b,c']);
    expect(out).toEqual({ seed: 1, lr: 3e-4, name: 'y', on: false, train: { steps: 250, betas: [0.125, 4, 64] }, tags: ['b', 'c'] });
    // The input is untouched.
    expect(base.train.steps).toBe(100);
  });

  it('refuses an unknown key and lists the settable ones', () => {
    expect(() => applySets(base, ['train.step=5'])).toThrow(UsageError);
    expect(() => applySets(base, ['train.step=5'])).toThrow(/unknown config key 'train.step'; settable keys:\n {2}seed \(integer\) = 1\n[^]*train\.steps \(integer\) = 100/);
    expect(() => applySets(base, ['train=5'])).toThrow(/'train' is a group; set one of its keys/);
  });

  it('refuses values of the wrong type, naming the expected type', () => {
    expect(() => applySets(base, ['train.steps=2.5'])).toThrow("--set train.steps: expected an integer, got '2.5'");
    expect(() => applySets(base, ['train.steps=many'])).toThrow('expected an integer');
    expect(() => applySets(base, ['lr=fast'])).toThrow("--set lr: expected a number, got 'fast'");
    expect(() => applySets(base, ['on=yes'])).toThrow('expected true or false');
    expect(() => applySets(base, ['train.betas=1,x'])).toThrow('expected a comma-separated list of numbers');
    expect(() => applySets(base, ['lr'])).toThrow("--set expects key=value, got 'lr'");
  });

  it('takes explicit key types over the inferred ones', () => {
    expect(() => applySets({ high: 64 }, ['high=32.5'])).toThrow('expected an integer');
    expect(applySets({ high: 64 }, ['high=32.5'], { high: 'number' })).toEqual({ high: 32.5 });
  });

  it('lists every leaf with its type', () => {
    expect(settableKeys(base).map((k) => `${k.path}:${k.type}`)).toEqual([
      'seed:integer',
      'lr:number',
      'name:string',
      'on:boolean',
      'train.steps:integer',
      'train.betas:number[]',
      'tags:string[]',
    ]);
  });
});

describe('deepMerge', () => {
  it('merges objects key by key and replaces arrays', () => {
    expect(deepMerge(base, { train: { betas: [8] }, lr: 0.01 })).toEqual({ ...base, lr: 0.01, train: { steps: 100, betas: [8] } });
  });
  it('refuses keys the base lacks', () => {
    expect(() => deepMerge(base, { train: { stepz: 1 } } as never)).toThrow("override sets 'train.stepz', which the base config does not have");
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
