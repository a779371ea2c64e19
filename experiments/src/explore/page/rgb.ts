/// <reference lib="dom" />
// 8-bit RGB images on the pages: fetched raw from the explorer server, decoded from a dropped file,
// drawn on a canvas at 1:1.

/** An 8-bit RGB image, [height, width, 3] row-major (tasks-compression's ImageU8 has this shape). */
export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An image the explorer server sends raw (see raw-image.ts): decoded there by the CLI's decoder. */
export async function fetchRgb(url: string): Promise<Rgb> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  const width = Number(r.headers.get('x-image-width'));
  const height = Number(r.headers.get('x-image-height'));
  return { width, height, data: new Uint8Array(await r.arrayBuffer()) };
}

/** Draws 8-bit RGB on a canvas at 1:1 (opaque, so the canvas keeps the exact bytes). */
export function drawRgb(canvas: HTMLCanvasElement, img: Rgb): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  const out = ctx.createImageData(img.width, img.height);
  for (let i = 0, j = 0; i < img.data.length; i += 3, j += 4) {
    out.data[j] = img.data[i];
    out.data[j + 1] = img.data[i + 1];
    out.data[j + 2] = img.data[i + 2];
    out.data[j + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
}

/**
 * A dropped file decoded by the browser, without colour conversion; transparency is composited on
 * white. With `cover`, scaled to cover cover×cover and centre-cropped to it (as the server's photos are).
 */
export async function decodeDropped(file: File, cover?: number): Promise<Rgb> {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }).catch(() => {
    throw new Error(`${file.name}: the browser cannot decode it as an image (PNG, JPEG or WebP expected)`);
  });
  const [w, h] = cover ? [cover, cover] : [bitmap.width, bitmap.height];
  const scale = cover ? Math.max(cover / bitmap.width, cover / bitmap.height) : 1;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(bitmap, (w - bitmap.width * scale) / 2, (h - bitmap.height * scale) / 2, bitmap.width * scale, bitmap.height * scale);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width: w, height: h, data };
}
