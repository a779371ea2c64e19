/// <reference lib="dom" />
import * as tf from '@tensorflow/tfjs';
import type { Task } from '@yoto/core';
import { decodeAt, fixedLatents, reconstructAt, termsAt, type VaeModel } from '@yoto/tasks-vae';
import { drawRow, splitRows } from './canvas.js';
import type { Drawn } from './view.js';

/** The fixed panel the server sends: test images as the model sees them, [n, h, w, c] in [0, 1]. */
export interface VaePanel {
  n: number;
  height: number;
  width: number;
  channels: number;
  pixels: number[];
  /** Prior samples drawn per row. */
  samples: number;
}

const SCALE = 3;

function figure(parent: HTMLElement, id: string, caption: string): HTMLCanvasElement {
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  const canvas = document.createElement('canvas');
  canvas.id = id;
  fig.append(cap, canvas);
  parent.append(fig);
  return canvas;
}

/**
 * The VAE outputs at a β: reconstructions of the panel's test digits and decoded prior samples from
 * fixed latent codes (the report's codes), by the YOTO model and, beside it, a clicked baseline.
 */
export function vaeView(parent: HTMLElement, panel: VaePanel, task: Task<VaeModel>, yoto: VaeModel) {
  const { n, height: h, width: w, channels: c } = panel;
  const images = tf.tensor4d(Float32Array.from(panel.pixels), [n, h, w, c]);
  const z = tf.tensor2d(fixedLatents(panel.samples, yoto.config.latent), [panel.samples, yoto.config.latent]);
  const inputs = figure(parent, 'inputs', `${n} test digits (input)`);
  drawRow(inputs, splitRows(Float32Array.from(panel.pixels), n), h, w, c, SCALE);
  const recon = figure(parent, 'yoto-recon', 'YOTO: reconstructions at the current β');
  const prior = figure(parent, 'yoto-prior', 'YOTO: prior samples (fixed z) at the current β');
  const baseRecon = figure(parent, 'baseline-recon', 'baseline: click a baseline to see its own reconstructions');
  const basePrior = figure(parent, 'baseline-prior', 'baseline: prior samples (same z)');

  const draw = async (canvas: HTMLCanvasElement, t: tf.Tensor4D, count: number) => {
    const data = (await t.data()) as Float32Array;
    t.dispose();
    drawRow(canvas, splitRows(data, count), h, w, c, SCALE);
  };

  return {
    /**
     * Draws the YOTO outputs at β (and the baseline's, when one is chosen); the live panel estimate
     * (another pass of the model) is measured after the pictures are on screen.
     */
    async render(beta: number, baseline: { model: VaeModel; beta: number; label: string } | null): Promise<Drawn> {
      await draw(recon, reconstructAt(yoto, images, beta), n);
      await draw(prior, decodeAt(yoto, z, beta), panel.samples);
      if (baseline) {
        baseRecon.previousElementSibling!.textContent = `${baseline.label}: its own reconstructions`;
        await draw(baseRecon, reconstructAt(baseline.model, images, baseline.beta), n);
        await draw(basePrior, decodeAt(baseline.model, z, baseline.beta), panel.samples);
      }
      return { live: {}, measure: () => termsAt(task, yoto, images, beta) };
    },
  };
}
