// Lays out gallery tiles (8-bit RGB crops with two caption lines each) into one PNG with sharp.
import type { ImageU8 } from '@yoto/tasks-compression';
import { escapeXml } from '@yoto/tracker';
import sharp from 'sharp';

export interface GalleryTile {
  image: ImageU8;
  /** Caption lines under the tile (two fit). */
  lines: string[];
}

const GAP = 6;
const LABEL = 34;
const FONT = 'DejaVu Sans';

/**
 * A grid of tiles (null: left blank), every tile the same size. Small crops are enlarged by an
 * integer factor with nearest-neighbour sampling so coding artefacts stay visible, not smoothed.
 */
export async function composeGallery(rows: (GalleryTile | null)[][]): Promise<Buffer> {
  const tiles = rows.flat().filter((t): t is GalleryTile => t !== null);
  if (tiles.length === 0) throw new Error('gallery: no tiles');
  const { width: w, height: h } = tiles[0].image;
  for (const t of tiles)
    if (t.image.width !== w || t.image.height !== h) throw new Error(`gallery: tiles differ in size (${t.image.width}×${t.image.height} vs ${w}×${h})`);
  const zoom = Math.max(1, Math.floor(160 / Math.max(w, h)));
  const tw = w * zoom;
  const th = h * zoom;
  const columns = Math.max(...rows.map((r) => r.length));
  const width = GAP + columns * (tw + GAP);
  const height = GAP + rows.length * (th + LABEL + GAP);
  const layers: sharp.OverlayOptions[] = [];
  for (let r = 0; r < rows.length; r++)
    for (let c = 0; c < rows[r].length; c++) {
      const t = rows[r][c];
      if (!t) continue;
      const left = GAP + c * (tw + GAP);
      const top = GAP + r * (th + LABEL + GAP);
      const raw = sharp(Buffer.from(t.image.data.buffer, t.image.data.byteOffset, t.image.data.byteLength), { raw: { width: w, height: h, channels: 3 } });
      const input = await (zoom > 1 ? raw.resize(tw, th, { kernel: 'nearest' }) : raw).png().toBuffer();
      layers.push({ input, left, top });
      layers.push({ input: label(t.lines, tw), left, top: top + th });
    }
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
}

function label(lines: string[], width: number): Buffer {
  const size = width >= 180 ? 12 : 10;
  const text = lines
    .slice(0, 2)
    .map((l, i) => `<text x="2" y="${13 + i * 15}" font-family="${FONT}" font-size="${size}" fill="${i === 0 ? '#111' : '#444'}">${escapeXml(l)}</text>`)
    .join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL}"><rect width="${width}" height="${LABEL}" fill="white"/>${text}</svg>`);
}
