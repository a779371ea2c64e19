/// <reference lib="dom" />
// The compression page's outputs: an image (a Kodak one the server sends, or one dropped on the
// page) coded with the range coder at the slider's λ by the YOTO model, decoded, and drawn with the
// file's real size, PSNR and MS-SSIM; beside it, a clicked baseline's own file at its λ.
import { type CodecContext, codecContext, codeAndDecode, type CodedImage, centreCrop, type FactorizedPrior, msSsimOf, type MsSsimOf } from '@yoto/tasks-compression';
import type { CompressionPanel } from '../compression-panel.js';
import { figure, imageSource, labelled } from './image-source.js';
import { drawRgb, fetchRgb } from './rgb.js';
import type { Drawn, ExplorerView } from './view.js';

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

  const row = document.createElement('div');
  row.className = 'row';
  parent.append(row);
  const crop = document.createElement('select');
  crop.id = 'crop';
  crop.append(new Option(`centre ${panel.crop}×${panel.crop}`, String(panel.crop)), new Option('whole image', '0'));
  const source = await imageSource(parent, row, {
    names: panel.images,
    fetch: (stem) => fetchRgb(`/image/${encodeURIComponent(stem)}`),
    prepare: (full) => centreCrop(full, Number(crop.value)),
    extra: [labelled(' crop ', crop)],
    note: panel.images.length ? `Kodak from ${panel.source}. The image is coded in this browser with the range coder; the size is the real file's.` : `${panel.source}: drop an image on the page.`,
    changed,
  });
  crop.addEventListener('change', () => source.reload());
  const yotoFig = figure(row, 'yoto-decoded', 'YOTO: decoded from its file at the current λ');
  const stream = document.createElement('a');
  stream.id = 'yoto-stream';
  stream.textContent = 'download the .yoto file';
  yotoFig.info.after(stream);
  const baseFig = figure(row, 'baseline-decoded', 'baseline: click a baseline to see its own file decoded');

  let url = '';
  const show = (fig: ReturnType<typeof figure>, r: CodedImage, ms: MsSsimOf | null) => {
    const quality = ms === null ? 'MS-SSIM after the picture' : ms.msSsim === null ? 'MS-SSIM needs ≥ 176 px a side' : `MS-SSIM ${ms.msSsim.toFixed(4)}`;
    fig.info.textContent = `${r.encoded.bytes.length} bytes, ${r.encoded.bpp.toFixed(3)} bpp, PSNR ${r.psnr.toFixed(2)} dB, ${quality}`;
  };

  return {
    liveCaption: 'this image, coded to a real file at the current λ in this browser and decoded',
    async render({ lambda }, baseline): Promise<Drawn> {
      const image = source.image;
      if (!image) return { live: {} };
      // The picture is the decoder's: the encoder runs no synthesis of its own (encoderForward).
      const r = codeAndDecode(yoto, image, lambda, contextOf(yoto));
      drawRgb(yotoFig.canvas, r.decoded);
      show(yotoFig, r, null);
      // The exact stream the page coded: its length is the size shown, and it can be saved and decoded.
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([r.encoded.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      stream.href = url;
      stream.download = `${source.name}-lambda${Number(r.encoded.lambda.toPrecision(4))}.yoto`;
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
