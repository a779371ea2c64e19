import { readFileSync } from 'node:fs';

/**
 * Advance widths read from a TrueType file (cmap format 4 + hmtx), so that vega lays out text for
 * the font the PNG is drawn with. Without a canvas, vega guesses 0.8 em per character, which makes
 * titles and legends far too wide and the images mostly blank.
 */
export class FontMetrics {
  private constructor(
    private readonly unitsPerEm: number,
    private readonly advances: Uint16Array,
    private readonly glyphOf: (codePoint: number) => number,
  ) {}

  static load(path: string): FontMetrics {
    const buf = readFileSync(path);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const tables = new Map<string, number>();
    const numTables = view.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + 16 * i;
      tables.set(buf.toString('latin1', rec, rec + 4), view.getUint32(rec + 8));
    }
    const need = (tag: string) => {
      const off = tables.get(tag);
      if (off === undefined) throw new Error(`${path}: no '${tag}' table, not a TrueType font this reader understands`);
      return off;
    };
    const unitsPerEm = view.getUint16(need('head') + 18);
    const numberOfHMetrics = view.getUint16(need('hhea') + 34);
    const numGlyphs = view.getUint16(need('maxp') + 4);
    const hmtx = need('hmtx');
    const advances = new Uint16Array(numGlyphs);
    let last = 0;
    for (let g = 0; g < numGlyphs; g++) {
      if (g < numberOfHMetrics) last = view.getUint16(hmtx + 4 * g);
      advances[g] = last;
    }
    return new FontMetrics(unitsPerEm, advances, cmap4(view, need('cmap'), path));
  }

  /** Width in pixels of `text` at `size` px (no kerning: a pixel or two off at most). */
  width(text: string, size: number): number {
    let units = 0;
    for (const ch of text) {
      const g = this.glyphOf(ch.codePointAt(0)!);
      units += this.advances[g] ?? this.advances[0];
    }
    return (units / this.unitsPerEm) * size;
  }
}

function cmap4(view: DataView, cmap: number, path: string): (cp: number) => number {
  const n = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < n; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = view.getUint16(rec);
    const encoding = view.getUint16(rec + 2);
    const off = cmap + view.getUint32(rec + 4);
    if (view.getUint16(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
      sub = off;
      break;
    }
  }
  if (sub < 0) throw new Error(`${path}: no Unicode BMP (format 4) cmap`);
  const segX2 = view.getUint16(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const cache = new Map<number, number>();
  return (cp) => {
    let g = cache.get(cp);
    if (g !== undefined) return g;
    g = 0;
    if (cp <= 0xffff) {
      for (let i = 0; i < segX2; i += 2) {
        if (cp > view.getUint16(ends + i)) continue;
        const start = view.getUint16(starts + i);
        if (cp < start) break;
        const delta = view.getInt16(deltas + i);
        const ro = view.getUint16(rangeOffsets + i);
        if (ro === 0) g = (cp + delta) & 0xffff;
        else {
          const raw = view.getUint16(rangeOffsets + i + ro + 2 * (cp - start));
          g = raw === 0 ? 0 : (raw + delta) & 0xffff;
        }
        break;
      }
    }
    cache.set(cp, g);
    return g;
  };
}
