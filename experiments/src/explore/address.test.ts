import { describe, expect, it } from 'vitest';
import { addressForm, readAddress, sliderValue, type SliderTerm } from './page/address.js';
import { valueToSlider } from './page/curve.js';

const kl: SliderTerm = { term: 'kl', title: 'β', min: 1 / 8, max: 64, log: true, start: 2.828 };
const content: SliderTerm = { term: 'content', title: 'λ[content]', min: 0.1, max: 1, log: false, start: 0.55 };
const read = (q: string) => readAddress(new URLSearchParams(q), [kl, content], ['backend']);

describe('the sliders in the address', () => {
  it('reads each term’s value, leaves the page’s own parameters alone, and takes a bound copied from the label', () => {
    expect(read('?backend=wasm&kl=4&content=0.3')).toEqual({ values: { kl: 4, content: 0.3 }, problems: [] });
    expect(read('kl=1e1').values).toEqual({ kl: 10 });
    // λ's label prints 0.0018…0.1797 for a true top of 0.17972…: the printed bound is that top.
    const lambda: SliderTerm = { term: 'lambda', title: 'λ', min: 0.0018, max: 0.179724, log: true, start: 0.018 };
    expect(readAddress(new URLSearchParams('lambda=0.1798'), [lambda], []).values).toEqual({ lambda: 0.179724 });
  });

  it('names the parameter, its value and what was expected for one that names no slider, is no number or lies outside the range', () => {
    expect(read('kl=abc').problems).toEqual(['ignored ?kl=abc: not a number; β takes one number in 0.125…64 (log scale); its slider starts at 2.828']);
    expect(read('kl=').problems).toHaveLength(1);
    expect(read('kl=0x10').problems).toHaveLength(1);
    expect(read('content=1.5').problems).toEqual(['ignored ?content=1.5: outside the range; λ[content] takes one number in 0.1…1 (linear); its slider starts at 0.55']);
    expect(read('kl=0').problems).toHaveLength(1); // below a log range's bottom
    expect(read('gamma=2&kl=4')).toEqual({ values: { kl: 4 }, problems: ["ignored ?gamma=2: no slider is called 'gamma'; the page takes ?kl=, ?content=, ?backend="] });
    expect(read('kl=4&kl=5')).toEqual({ values: {}, problems: ['ignored ?kl=4&kl=5: kl is given 2 times; β takes one number in 0.125…64 (log scale); its slider starts at 2.828'] });
  });

  it('gives every slider position a short value that reads back to the same position and the same number', () => {
    for (const s of [kl, content, { ...kl, min: 1, max: 1.1 }])
      for (let p = 0; p <= 1000; p++) {
        const v = sliderValue(p, 1000, s.min, s.max, s.log);
        expect(valueToSlider(v, 1000, s.min, s.max, s.log)).toBe(p);
        const back = readAddress(new URLSearchParams(`${s.term}=${addressForm(v)}`), [s], []);
        expect(back.values[s.term]).toBe(v);
      }
    expect(addressForm(sliderValue(980, 1000, 1 / 8, 64, true))).toBe('56.49');
    // A narrow log range needs more than four digits to tell its 1000 positions apart.
    expect(addressForm(sliderValue(1, 1000, 1, 1.1, true))).toBe('1.0001');
  });
});
