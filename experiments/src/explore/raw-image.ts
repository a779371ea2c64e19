import type { TaskRoute } from './server.js';

type Response = NonNullable<Awaited<ReturnType<TaskRoute>>>;

/**
 * An image as the pages receive it: raw 8-bit RGB, width and height in headers, decoded on the
 * server by the same decoder as the CLI (so the page works on exactly the CLI's pixels, with no
 * browser colour management in between). The page reads it with `fetchRgb` (page/rgb.ts).
 */
export function rawImage(img: { width: number; height: number; data: Uint8Array }): Response {
  return { status: 200, type: 'application/octet-stream', body: img.data, headers: { 'x-image-width': String(img.width), 'x-image-height': String(img.height) } };
}
