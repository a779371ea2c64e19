import { describe, expect, it } from 'vitest';
import { escapeXml } from './escape.js';
import { svgToPng } from './render.js';

describe('escapeXml', () => {
  it('escapes the five markup characters and nothing else', () => {
    expect(escapeXml(`λ=0.5 <b> & "q" 'a'`)).toBe('λ=0.5 &lt;b&gt; &amp; &quot;q&quot; &#39;a&#39;');
  });

  it('makes any label safe in an SVG: the raw text breaks the SVG, the escaped text renders', () => {
    const label = `YOTO & "baseline" <λ=0.018>`;
    const svg = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text x="2" y="14" title="${text}">${text}</text></svg>`;
    expect(() => svgToPng(svg(label))).toThrow();
    expect(svgToPng(svg(escapeXml(label))).subarray(1, 4).toString()).toBe('PNG');
  });
});
