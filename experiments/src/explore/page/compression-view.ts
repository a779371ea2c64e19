/// <reference lib="dom" />
// The compression page's outputs: an image (a Kodak one the server sends, or one dropped on the
// page) coded with the range coder at the slider's λ by the YOTO model, decoded, and drawn with the
// file's real size, PSNR and MS-SSIM; beside it, a clicked baseline's own file at its λ.
import { type CodecContext, codecContext, codeAndDecode, type CodedImage, centreCrop, type FactorizedPrior, type ImageU8, msSsimOf, type MsSsimOf } from '@yoto/tasks-compression';
import type { CompressionPanel } from '../compression-panel.js';
import type { Drawn, ExplorerView } from './view.js';

const DROPPED = '(dropped image)';

function figure(parent: HTMLElement, id: string, caption: string): { canvas: HTMLCanvasElement; caption: HTMLElement; info: HTMLElement } {
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  const canvas = document.createElement('canvas');
  canvas.id = id;
  const info = document.createElement('div');
  info.className = 'note';
  info.id = `${id}-info`;
  fig.append(cap, canvas, info);
  parent.append(fig);
  return { canvas, caption: cap, info };
}

/** Draws 8-bit RGB on a canvas at 1:1 (opaque, so the canvas keeps the exact bytes). */
function drawRgb(canvas: HTMLCanvasElement, img: ImageU8): void {
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

/** A Kodak image from the explorer server: raw RGB decoded there by the same decoder as the CLI's. */
async function fetchKodak(stem: string): Promise<ImageU8> {
  const r = await fetch(`/image/${encodeURIComponent(stem)}`);
  if (!r.ok) throw new Error(`/image/${stem}: ${r.status} ${await r.text()}`);
  const width = Number(r.headers.get('x-image-width'));
  const height = Number(r.headers.get('x-image-height'));
  return { width, height, data: new Uint8Array(await r.arrayBuffer()) };
}

/** A dropped file decoded by the browser, without colour conversion; transparency is composited on white. */
async function decodeDropped(file: File): Promise<ImageU8> {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }).catch(() => {
    throw new Error(`${file.name}: the browser cannot decode it as an image (PNG, JPEG or WebP expected)`);
  });
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const data = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width: bitmap.width, height: bitmap.height, data };
}


/**
 * The compression view. `changed` is called when the user picks or drops another image or crop, so
 * the page codes it again at the current λ.
 */
export async function compressionView(parent: HTMLElement, panel: CompressionPanel, yoto: FactorizedPrior, changed: () => void): Promise<ExplorerView<FactorizedPrior>> {
  const contexts = new WeakMap<FactorizedPrior, CodecContext>();
  const contextOf = (m: FactorizedPrior) => {
    let c = contexts.get(m);
    if (!c) contexts.set(m, (c = codecContext(m)));
    return c;
  };

  // Controls: the Kodak picker, the crop, a file input; dropping a file anywhere on the page works too.
  const controls = document.createElement('div');
  controls.className = 'controls';
  const picker = document.createElement('select');
  picker.id = 'image-picker';
  for (const stem of panel.images) picker.append(new Option(stem, stem));
  picker.append(new Option(DROPPED, DROPPED));
  const crop = document.createElement('select');
  crop.id = 'crop';
  crop.append(new Option(`centre ${panel.crop}×${panel.crop}`, String(panel.crop)), new Option('whole image', '0'));
  const file = document.createElement('input');
  Object.assign(file, { type: 'file', accept: 'image/png,image/jpeg,image/webp', id: 'image-file' });
  const labelled = (text: string, el: HTMLElement) => {
    const l = document.createElement('label');
    l.append(text, el);
    return l;
  };
  controls.append(labelled('Image ', picker), ' ', labelled(' crop ', crop), ' ', labelled(' or drop / open your own: ', file));
  const note = document.createElement('div');
  note.className = 'note';
  note.textContent = panel.images.length ? `Kodak from ${panel.source}. The image is coded in this browser with the range coder; the size is the real file's.` : `${panel.source}: drop an image on the page.`;
  parent.append(controls, note);

  const row = document.createElement('div');
  row.className = 'row';
  parent.append(row);
  const original = figure(row, 'original', 'input');
  const yotoFig = figure(row, 'yoto-decoded', 'YOTO: decoded from its file at the current λ');
  const stream = document.createElement('a');
  stream.id = 'yoto-stream';
  stream.textContent = 'download the .yoto file';
  yotoFig.info.after(stream);
  const baseFig = figure(row, 'baseline-decoded', 'baseline: click a baseline to see its own file decoded');

  let dropped: ImageU8 | null = null;
  let source: ImageU8 | null = null;
  let sourceName = '';
  const load = async () => {
    const full = picker.value === DROPPED ? dropped : await fetchKodak(picker.value);
    sourceName = picker.value === DROPPED ? 'dropped' : picker.value;
    source = full ? centreCrop(full, Number(crop.value)) : null;
    if (source) drawRgb(original.canvas, source);
    original.caption.textContent = source ? `input: ${sourceName}, ${source.width}×${source.height}` : 'input: drop an image on the page';
  };
  const reload = () => void load().then(changed, (err: unknown) => (document.getElementById('error')!.textContent = (err as Error).message));
  picker.addEventListener('change', reload);
  crop.addEventListener('change', reload);
  const take = async (f: File | undefined) => {
    if (!f) return;
    try {
      dropped = await decodeDropped(f);
      picker.value = DROPPED;
      reload();
    } catch (err) {
      document.getElementById('error')!.textContent = (err as Error).message;
    }
  };
  file.addEventListener('change', () => void take(file.files?.[0]));
  document.body.addEventListener('dragover', (e) => e.preventDefault());
  document.body.addEventListener('drop', (e) => {
    e.preventDefault();
    void take(e.dataTransfer?.files[0]);
  });
  if (panel.images.length === 0) picker.value = DROPPED;
  await load();

  let url = '';
  const show = (fig: ReturnType<typeof figure>, r: CodedImage, ms: MsSsimOf | null) => {
    const quality = ms === null ? 'MS-SSIM after the picture' : ms.msSsim === null ? 'MS-SSIM needs ≥ 176 px a side' : `MS-SSIM ${ms.msSsim.toFixed(4)}`;
    fig.info.textContent = `${r.encoded.bytes.length} bytes, ${r.encoded.bpp.toFixed(3)} bpp, PSNR ${r.psnr.toFixed(2)} dB, ${quality}`;
  };

  return {
    liveCaption: 'this image, coded to a real file at the current λ in this browser and decoded',
    async render(lambda, baseline): Promise<Drawn> {
      if (!source) return { live: {} };
      const image = source;
      // The picture is the decoder's: the encoder runs no synthesis of its own (encoderForward).
      const r = codeAndDecode(yoto, image, lambda, contextOf(yoto));
      drawRgb(yotoFig.canvas, r.decoded);
      show(yotoFig, r, null);
      // The exact stream the page coded: its length is the size shown, and it can be saved and decoded.
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([r.encoded.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      stream.href = url;
      stream.download = `${sourceName}-lambda${Number(r.encoded.lambda.toPrecision(4))}.yoto`;
      document.body.dataset.bytes = String(r.encoded.bytes.length);
      let b: CodedImage | null = null;
      if (baseline) {
        b = codeAndDecode(baseline.model, image, baseline.lambda, contextOf(baseline.model));
        baseFig.caption.textContent = `${baseline.label}: its own file, decoded`;
        drawRgb(baseFig.canvas, b.decoded);
        show(baseFig, b, null);
      }
      const live: Record<string, number> = { bytes: r.encoded.bytes.length, bpp: r.encoded.bpp, estimated_bpp: r.encoded.estimatedBits / (image.width * image.height), psnr: r.psnr };
      // MS-SSIM takes longer than the coding: measured once the decoded picture is on screen.
      const measure = async (): Promise<Record<string, number>> => {
        const ms = msSsimOf(image, r.decoded);
        show(yotoFig, r, ms);
        if (b) show(baseFig, b, msSsimOf(image, b.decoded));
        return ms.msSsim === null || ms.msSsimDb === null ? {} : { ms_ssim: ms.msSsim, ms_ssim_db: ms.msSsimDb };
      };
      return { live, measure };
    },
  };
}
