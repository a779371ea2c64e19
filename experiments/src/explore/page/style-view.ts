/// <reference lib="dom" />
// The style page's outputs: a held-out content photo (or a dropped one) stylized by the YOTO model at
// the five sliders' weights, beside it a clicked baseline's own stylization; and, once the picture is
// on screen, the model's own estimate of the held-out terms at those weights: the task's evaluation
// (the one the tracker recorded at the grid points) run in this browser on the same photos, with the
// loss network read from its weight files' bytes.
import * as tf from '@tensorflow/tfjs';
import { evaluateAt } from '@yoto/core';
import { lossNetworkFromBytes, type PixelsU8, type StyleMaterials, type StyleModel, type StyleTaskDefinition, stylizeAt, toTensor } from '@yoto/tasks-style';
import type { StylePanel } from '../style-panel.js';
import { figure, imageSource } from './image-source.js';
import { drawRgb, fetchRgb, type Rgb } from './rgb.js';
import type { Drawn, ExplorerView } from './view.js';

/** The metrics of the estimate the page shows (the evaluation's normalised terms and their sums). */
const SHOWN = ['weighted_loss', 'content', 'style', 'style1', 'style2', 'style3', 'style4'];

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return new Uint8Array(await r.arrayBuffer());
}

const pixels = async (url: string): Promise<PixelsU8> => ({ ...(await fetchRgb(url)), source: url });

/** What the task's loss is made of, from the server: the loss network's bytes and the decoded photos and painting. */
async function fetchMaterials(panel: StylePanel): Promise<StyleMaterials> {
  const n = panel.lossNetwork;
  const modelJson: unknown = JSON.parse(new TextDecoder().decode(await bytes('/style/loss-network/model.json')));
  const shards = new Map(await Promise.all(n.shards.map(async (p) => [p, await bytes(`/style/loss-network/${p}`)] as const)));
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  return {
    painting: await pixels('/style/painting'),
    train: await Promise.all(range(panel.calibration).map((i) => pixels(`/style/train/${i}`))),
    heldOut: await Promise.all(range(panel.evaluation.images).map((i) => pixels(`/style/held-out/${i}`))),
    network: lossNetworkFromBytes(modelJson, shards, [n.content, ...n.style], n.input, n.label),
    layers: { content: n.content, style: n.style },
  };
}

/** A stylized [1, h, w, 3] tensor as 8-bit RGB (rounded as `exp stylize` writes it); disposes it. */
async function toRgb(y: tf.Tensor4D): Promise<Rgb> {
  const [, height, width] = y.shape;
  const v = await y.data();
  y.dispose();
  return { width, height, data: Uint8Array.from(v, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255)) };
}

/**
 * The style view. `task` is the checkpoint's task (tasks-style's browser definition): the page gives
 * it the materials, so `evaluateAt(task, …)` is the evaluation the runner ran, on the same photos.
 */
export async function styleView(parent: HTMLElement, panel: StylePanel, task: StyleTaskDefinition, yoto: StyleModel, changed: () => void): Promise<ExplorerView<StyleModel>> {
  const row = document.createElement('div');
  row.className = 'row';
  parent.append(row);
  const source = await imageSource(parent, row, {
    names: panel.photos,
    fetch: async (name) => fetchRgb(`/style/photo/${panel.photos.indexOf(name)}`),
    prepare: (full) => full,
    cover: panel.size,
    note: `The held-out content photos (${panel.size}×${panel.size}), stylized in this browser by the one YOTO model at the five weights.`,
    changed,
  });
  const yotoFig = figure(row, 'yoto-stylized', 'YOTO: at the current weights');
  const baseFig = figure(row, 'baseline-stylized', 'baseline: click a baseline to see its own stylization');
  const about = document.createElement('div');
  about.className = 'note';
  about.id = 'estimate-about';
  const e = panel.evaluation;
  about.textContent =
    `The live estimate is the task's own held-out evaluation at the sliders' weights, run in this browser: the YOTO model stylizes the ${e.images} held-out photos ` +
    `the tracker's evaluation used (${panel.imageSize}×${panel.imageSize}), and the loss network (${panel.lossNetwork.label}, read here from its weight files) gives ` +
    `the content term and the four style terms, each divided by its normaliser (calibrated here on the same ${panel.calibration} training photos and the painting). ` +
    'At a grid point it is the tracker’s value up to float rounding; between grid points it is the model’s own measurement, not an interpolation.';
  parent.append(about);
  task.use(await fetchMaterials(panel));

  let input: { image: Rgb; x: tf.Tensor4D } | null = null;
  const tensorOf = (image: Rgb): tf.Tensor4D => {
    if (input?.image !== image) {
      input?.x.dispose();
      input = { image, x: toTensor([{ ...image, source: source.name }]) };
    }
    return input.x;
  };

  return {
    liveCaption: `the model's own estimate at these weights: the held-out evaluation (${e.images} photos, normalised terms) computed in this browser`,
    async render(at, baseline): Promise<Drawn> {
      const image = source.image;
      if (!image) return { live: {} };
      const x = tensorOf(image);
      drawRgb(yotoFig.canvas, await toRgb(stylizeAt(yoto, x, at.vector)));
      yotoFig.info.textContent = `${image.width}×${image.height}, ${source.name}`;
      if (baseline) {
        baseFig.caption.textContent = `${baseline.label}: its own stylization`;
        drawRgb(baseFig.canvas, await toRgb(stylizeAt(baseline.model, x, baseline.vector)));
      }
      const measure = async (): Promise<Record<string, number>> => {
        const m = await evaluateAt(task, yoto, at.vector, { limit: e.images, batchSize: e.batchSize });
        return Object.fromEntries(SHOWN.map((k) => [k, m[k]]));
      };
      return { live: {}, measure };
    },
  };
}
