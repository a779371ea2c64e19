/// <reference lib="dom" />
// The explorer page: loads the YOTO model from its checkpoint bytes through core's loadTrained path,
// puts one slider per conditioned coefficient, and redraws the outputs, the chart's current point
// and the metrics as a slider moves. Everything it loads comes from the local server.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadTrainedFromBytes, logEncoded, registerKernelFixes, type TaskModel } from '@yoto/core';
import '@yoto/tasks-vae';
import '@yoto/tasks-compression';
import '@yoto/tasks-style';
import type { VaeModel } from '@yoto/tasks-vae';
import type { FactorizedPrior } from '@yoto/tasks-compression';
import type { StyleModel, StyleTaskDefinition } from '@yoto/tasks-style';
import type { CompressionPanel } from '../compression-panel.js';
import type { ExplorerModel, ExplorerState } from '../state.js';
import type { StylePanel } from '../style-panel.js';
import { addressForm, readAddress, sliderValue, type SliderTerm } from './address.js';
import { showTradeoffChart } from './chart.js';
import { type CurvePosition, gridOf, positionOn, recordedAt, valueToSlider } from './curve.js';
import { compressionView } from './compression-view.js';
import { fmt } from './format.js';
import { styleView } from './style-view.js';
import { vaeView, type VaePanel } from './vae-view.js';
import type { ChosenBaseline, ExplorerView } from './view.js';

const STEPS = 1000;

const BACKENDS = ['webgl', 'wasm'];

/**
 * WebGL where the browser has it, else WebAssembly (binaries served by the explorer under /wasm/);
 * `problem` is the line for a `?backend=` that names neither.
 */
async function chooseBackend(): Promise<{ backend: string; problem?: string }> {
  setWasmPaths('/wasm/');
  // Before a backend starts: the project's wasm kernels (a synthesis's transposed convolutions
  // through XNNPACK instead of tfjs's scatter loop), registered as core's initBackend does in Node.
  registerKernelFixes();
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  // A software WebGL (SwiftShader, llvmpipe: no GPU) redrew the VAE panel 13× slower than wasm here
  // (`pnpm bench explore`), so it is used only when asked for. ?backend=webgl|wasm forces one.
  const renderer = gl ? String(gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER)) : '';
  const software = /swiftshader|llvmpipe|software/i.test(renderer);
  const asked = new URLSearchParams(location.search).get('backend');
  const order = asked === 'wasm' || !gl ? ['wasm'] : asked === 'webgl' ? ['webgl', 'wasm'] : software ? ['wasm', 'webgl'] : ['webgl', 'wasm'];
  for (const name of order)
    if (await tf.setBackend(name).catch(() => false))
      return { backend: name, problem: asked === null || BACKENDS.includes(asked) ? undefined : `ignored ?backend=${asked}: expected webgl or wasm; the page chose ${name}` };
  throw new Error('neither the WebGL nor the WebAssembly backend of tfjs starts in this browser');
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r;
}

async function loadModel<M extends TaskModel>(m: ExplorerModel) {
  const bytes = new Uint8Array(await (await fetchOk(`/checkpoint/${m.runId}`)).arrayBuffer());
  return loadTrainedFromBytes<M>(bytes, `run ${m.runId} (${m.name})`);
}

async function start(): Promise<void> {
  const { backend, problem: backendProblem } = await chooseBackend();
  const state = (await (await fetchOk('/state.json')).json()) as ExplorerState;
  const panel = (await (await fetchOk('/panel.json')).json()) as VaePanel | CompressionPanel | StylePanel;
  document.title = `${state.record} — YOTO explorer`;
  document.getElementById('title')!.textContent = `${state.record}: turn ${state.lambdaTitle} on one model`;
  const trained = await loadModel(state.yoto);
  const { space } = trained;
  if (space.conditionedTerms.length > 1) document.getElementById('title')!.textContent = `${state.record}: turn the ${space.conditionedTerms.length} loss weights of one model`;
  // The threaded wasm build needs cross-origin isolation (the server's headers); it runs one XNNPACK
  // thread per two logical cores (tfjs caps it there, assuming SMT), so one on a 2-core machine.
  const threads = backend === 'wasm' ? ` (${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'})` : '';
  document.getElementById('subtitle')!.textContent =
    `YOTO run ${state.yoto.runId} (${state.yoto.name}), task ${trained.task.name}, step ${trained.step}; tfjs ${backend} backend${threads} in this browser`;

  // One slider per conditioned term; the chart and pictures follow the report's λ term.
  const lambda = space.terms.map((t) => space.support(t).value ?? 1);
  const sliders = document.getElementById('sliders')!;
  const inputs = new Map<string, SliderTerm & { input: HTMLInputElement; output: HTMLOutputElement }>();
  for (const term of space.conditionedTerms) {
    const { min, max } = space.support(term);
    // 'range' is log λ mapped onto [−1, 1]: log-scaled too ('linearRange' is not).
    const log = logEncoded(space.encodings[term]);
    const title = term === state.lambdaTerm ? state.lambdaTitle : `λ[${term}]`;
    const div = document.createElement('div');
    div.className = 'slider';
    const label = document.createElement('label');
    label.textContent = `${title} (${term}, ${log ? 'log scale' : 'linear'}, ${fmt(min)}…${fmt(max)}) `;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: '0', max: String(STEPS), step: '1', id: `slider-${term}` });
    const output = document.createElement('output');
    label.append(input, output);
    div.append(label);
    sliders.append(div);
    // Without a value in the address, the middle of the (log) range.
    inputs.set(term, { term, title, min, max, log, start: sliderValue(STEPS / 2, STEPS, min, max, log), input, output });
  }
  // The address's slider values; a parameter the page cannot use is one line, and the page starts anyway.
  const address = readAddress(new URLSearchParams(location.search), [...inputs.values()], ['backend']);
  const problems = [...(backendProblem ? [backendProblem] : []), ...address.problems];
  document.getElementById('address-error')!.replaceChildren(...problems.map((line) => Object.assign(document.createElement('div'), { textContent: line })));

  const outputs = document.getElementById('outputs')!;
  const kind = 'kind' in panel ? panel.kind : 'vae';
  const view: ExplorerView =
    kind === 'compression'
      ? ((await compressionView(outputs, panel as CompressionPanel, trained.model as FactorizedPrior, () => void render())) as unknown as ExplorerView)
      : kind === 'style'
        ? ((await styleView(outputs, panel as StylePanel, trained.task as unknown as StyleTaskDefinition, trained.model as StyleModel, () => void render())) as unknown as ExplorerView)
        : vaePage(outputs, panel as VaePanel, trained);
  // One conditioned term: the grid is a curve along it (interpolated between its points). Several
  // (style's five weights): the grid is a set of points, recorded values only where the sliders sit on one.
  const multi = space.conditionedTerms.length > 1;
  const grid = gridOf(state.evaluations, state.yoto.runId, state.lambdaTerm);
  const where = () => (multi ? `(${space.terms.map((t, i) => `${t} ${fmt(lambda[i])}`).join(', ')})` : `${state.lambdaTitle} = ${fmt(lambda[space.terms.indexOf(state.lambdaTerm)])}`);
  const positionAt = (beta: number): CurvePosition | null => {
    if (!multi) return positionOn(grid, beta);
    const metrics = recordedAt(state.evaluations, state.yoto.runId, Object.fromEntries(space.terms.map((t, i) => [t, lambda[i]])));
    return metrics && { metrics, exact: true, below: beta, above: beta };
  };
  const baselineModels = new Map<number, TaskModel>();
  let baseline: ChosenBaseline | null = null;

  const first = grid[0]?.metrics ?? {};
  const chart = await showTradeoffChart(document.getElementById('chart')!, state.chart, state.lambdaTitle, { x: first[state.x] ?? 0, y: first[state.y] ?? 0, lambda: grid[0]?.lambda ?? 1 }, (datum) => {
    // The generic chart names a baseline's run; the style chart its setting (the run's label).
    const b = state.baselines.find((m) => m.name === datum.run || (datum.setting !== undefined && m.label === datum.setting));
    if (b) void chooseBaseline(b);
  });

  let renders = 0;
  /**
   * One redraw at the current λ, asked for at `askedAt` (the slider event, or the click): the pictures
   * first (timed: the redraw alone, and slider to picture with any wait for the previous redraw),
   * then the chart's ring, then the slow measurements.
   */
  const draw = async (askedAt: number) => {
    const beta = lambda[space.terms.indexOf(state.lambdaTerm)];
    const vector = [...lambda];
    const at = where();
    const t0 = performance.now();
    const drawn = await view.render({ lambda: beta, vector }, baseline);
    const t1 = performance.now();
    const ms = t1 - t0;
    const latency = t1 - askedAt;
    const pos = positionAt(beta);
    const placed = !!pos && state.x in pos.metrics && state.y in pos.metrics;
    if (placed) await chart.setCurrent(pos.metrics[state.x], pos.metrics[state.y], beta);
    showMetrics(state, at, pos, drawn.live, view.liveCaption, latency);
    renders++;
    Object.assign(document.body.dataset, { renders: String(renders), lambda: String(beta), vector: JSON.stringify(vector), ms: ms.toFixed(1), latency: latency.toFixed(1), chartMs: (performance.now() - t1).toFixed(1) });
    const m0 = performance.now();
    if (drawn.measure) {
      // Let the browser put the pictures on screen before measuring them; a newer λ waiting skips it.
      await nextFrame();
      if (queued) return;
      const more = await drawn.measure();
      showMetrics(state, at, pos, { ...drawn.live, ...more }, view.liveCaption, latency);
      // Off the recorded grid, the ring sits at the model's own estimate (style: its terms are the chart's axes).
      if (!placed && state.x in more && state.y in more) await chart.setCurrent(more[state.x], more[state.y], beta);
    }
    // body[data-measured] = body[data-renders]: the page is idle, with everything of this λ shown.
    Object.assign(document.body.dataset, { measured: String(renders), measureMs: (performance.now() - m0).toFixed(1) });
  };
  // Latest value wins: one redraw runs at a time and at most one waits; a burst of slider events
  // while the model works coalesces into that one, which reads λ when it starts.
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  const render = (): Promise<void> => {
    if (!queued) {
      const askedAt = performance.now();
      const next = running.then(() => {
        queued = null;
        return draw(askedAt);
      });
      queued = next;
      running = next.catch(() => {});
    }
    return queued;
  };

  const setTerm = (term: string, value: number) => {
    const s = inputs.get(term);
    if (!s) return;
    lambda[space.terms.indexOf(term)] = value;
    s.input.value = String(valueToSlider(value, STEPS, s.min, s.max, s.log));
    s.output.textContent = fmt(value);
  };
  // The sliders' values into the address (every slider's, so it names the whole setting), replacing
  // the entry rather than adding one per slider step; other parameters (?backend=) stay.
  const writeAddress = () => {
    const url = new URL(location.href);
    for (const term of inputs.keys()) url.searchParams.set(term, addressForm(lambda[space.terms.indexOf(term)]));
    history.replaceState(history.state, '', url);
  };
  for (const [term, s] of inputs) {
    s.input.addEventListener('input', () => {
      setTerm(term, sliderValue(Number(s.input.value), STEPS, s.min, s.max, s.log));
      writeAddress();
      void render();
    });
  }

  async function chooseBaseline(b: ExplorerModel): Promise<void> {
    let model = baselineModels.get(b.runId);
    if (!model) {
      model = (await loadModel(b)).model;
      baselineModels.set(b.runId, model);
    }
    for (const [term, v] of Object.entries(b.lambda ?? {})) setTerm(term, v);
    writeAddress();
    const beta = b.lambda![state.lambdaTerm];
    const vector = space.terms.map((t) => b.lambda![t]);
    baseline = { model, lambda: beta, vector, label: `baseline run ${b.runId} (${multi ? b.label : `${state.lambdaTitle} = ${fmt(beta)}`})` };
    document.body.dataset.baseline = String(b.runId);
    await render();
  }

  const buttons = document.getElementById('baselines')!;
  if (state.baselines.length) buttons.append(`Baselines (or click one on the chart): `);
  for (const b of state.baselines) {
    const button = document.createElement('button');
    button.textContent = multi ? b.label : `${state.lambdaTitle} = ${fmt(b.lambda![state.lambdaTerm])}`;
    button.dataset.baselineRun = String(b.runId);
    button.addEventListener('click', () => void chooseBaseline(b));
    buttons.append(button);
  }

  // Start where the address says, else in the middle of the (log) range. The address stays as typed
  // until a slider moves (a mistyped parameter is still there to correct).
  for (const [term, s] of inputs) setTerm(term, address.values[term] ?? s.start);
  await render();
  document.body.dataset.ready = 'true';
}

/** The VAE panel as a view (its baseline takes β). */
function vaePage(outputs: HTMLElement, panel: VaePanel, trained: { task: unknown; model: TaskModel }): ExplorerView {
  const v = vaeView(outputs, panel, trained.task as never, trained.model as VaeModel);
  return {
    liveCaption: "the model's own estimate on the panel (posterior mean, no sampling noise)",
    render: ({ lambda }, b) => v.render(lambda, b && { model: b.model as VaeModel, beta: b.lambda, label: b.label }),
  };
}

/** Resolves after the browser has drawn a frame (so a canvas just written is on screen). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** The metrics table; `at` says where the sliders are (`β = 8`, or every weight where several move). */
function showMetrics(state: ExplorerState, at: string, pos: CurvePosition | null, live: Record<string, number>, liveCaption: string, latencyMs: number): void {
  const title = (m: string) => state.metricTitles[m] ?? m;
  const rows: string[] = [];
  if (!pos) rows.push(`<tr><th colspan="2">no held-out grid point at ${at}: the tracker has no values here</th></tr>`);
  if (pos) {
    const source = pos.exact
      ? `held-out, recorded in the tracker at ${at}`
      : pos.below === pos.above
        ? `held-out at the nearest grid point ${state.lambdaTitle} = ${fmt(pos.below)} (outside the grid)`
        : `interpolated in log ${state.lambdaTitle} between the held-out grid points ${fmt(pos.below)} and ${fmt(pos.above)}`;
    rows.push(`<tr><th colspan="2">${source}</th></tr>`);
    for (const [k, v] of Object.entries(pos.metrics)) rows.push(`<tr><td>${title(k)}</td><td class="num" data-metric="${k}" data-value="${v}">${fmt(v)}</td></tr>`);
  }
  rows.push(`<tr><th colspan="2">${liveCaption}</th></tr>`);
  for (const [k, v] of Object.entries(live)) rows.push(`<tr><td>${title(k)}</td><td class="num" data-live="${k}" data-value="${v}">${fmt(v)}</td></tr>`);
  rows.push(`<tr><td>slider to picture</td><td class="num">${latencyMs.toFixed(1)} ms</td></tr>`);
  document.getElementById('metrics')!.innerHTML = `<table>${rows.join('')}</table>`;
}

start().catch((err: unknown) => {
  document.getElementById('error')!.textContent = `The explorer could not start: ${(err as Error).message}`;
  document.body.dataset.failed = 'true';
  console.error(err);
});
