// style-adjustable: its plan and validation, agreement with the task's own settings and space, and
// the smoke profile end to end through the CLI (workers, evaluation at every setting, report).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defineSpace, findDataset, resolveDataRoot } from '@yoto/core';
import { LOSS_NETWORKS } from '@yoto/tasks-style/presets';
import { styleSpaceSpec } from '@yoto/tasks-style/space';
import { openTracker } from '@yoto/tracker';
import { afterAll, describe, expect, it } from 'vitest';
import { computeBudget } from '../runner/budget.js';
import { runCli } from '../testing/cli.js';
import { refusesSets } from '../testing/refuses.js';
import { resolveExperiment } from './registry.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-style-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { env: { ...process.env, YOTO_HOME: home, INIT_CWD: home, ...env }, cwd: home });

describe('style-adjustable plan', () => {
  it('default: YOTO at 7 named settings plus a content sweep, 3 baselines at named settings, YOTO = 2/3 of their steps', () => {
    const { plan } = resolveExperiment('style-adjustable');
    expect(plan.task).toMatchObject({ name: 'style-transfer', package: '@yoto/tasks-style', options: { style: '01_vangogh_starry_night.jpg', imageSize: 64, lossNetwork: 'mobilenet', softmax: true } });
    const baselines = plan.runs.filter((r) => r.kind === 'baseline');
    expect(baselines.map((r) => r.key)).toEqual(['baseline-balanced', 'baseline-content-heavy', 'baseline-style-heavy']);
    expect(baselines[0].lambda).toEqual({ content: 0.55, style1: 0.5, style2: 0.5, style3: 0.5, style4: 0.5 });
    expect(computeBudget(plan.runs).share).toBeCloseTo(2 / 3, 12);
    // 7 settings + a content sweep 0.1…1 (5 points) at the style weights of balanced, content-heavy
    // and style-heavy, less the settings themselves: 7 + 3 × 4.
    expect(plan.grid).toHaveLength(19);
    for (const b of baselines) expect(plan.grid.filter((g) => ['style1', 'style2', 'style3', 'style4'].every((t) => g[t] === b.lambda![t])).map((g) => g.content).sort()).toEqual([0.1, 0.325, 0.55, 0.775, 1]);
    for (const b of baselines) expect(plan.grid).toContainEqual(b.lambda);
    // The plan's space is the task's own (without its grid), and every grid point lies in its support.
    const { grid: _g, ...spec } = styleSpaceSpec({ contentSampling: 'logUniform' });
    expect(plan.space).toEqual(JSON.parse(JSON.stringify(spec)));
    expect(defineSpace(plan.space as never).conditionDim).toBe(5);
    for (const p of plan.grid) for (const [t, v] of Object.entries(p)) expect(v >= (t === 'content' ? 0.1 : 0) && v <= 1).toBe(true);
    // The weights reach the MLP centred on the box; the raw encoding and the linear path are options.
    // The content weight is drawn log-uniformly by default and fed as centred log λ ('range').
    expect(defineSpace(plan.space as never).encodings).toEqual({ content: 'range', style1: 'linearRange', style2: 'linearRange', style3: 'linearRange', style4: 'linearRange' });
    const raw = resolveExperiment('style-adjustable', 'default', ['space.encoding=linear', 'model.conditioningLinear=true']).plan;
    expect(defineSpace(raw.space as never).encodings.content).toBe('linear');
    expect(raw.task.options.network).toMatchObject({ conditioningLinear: true });
    // The default starts the conditioning MLP's hidden layer He-initialised; 'zeros' names no start, so runs
    // trained before the key keep their identity. The learning-rate factor reaches the YOTO run only when
    // set; the baselines have no conditioning.
    expect(plan.task.options.network).toMatchObject({ conditioningInit: 'heHidden' });
    expect(resolveExperiment('style-adjustable', 'default', ['model.conditioningInit=zeros']).plan.task.options.network).not.toHaveProperty('conditioningInit');
    expect(plan.runs.every((r) => !('learningRateScales' in r.training))).toBe(true);
    const probe = resolveExperiment('style-adjustable', 'default', ['model.conditioningInit=reference', 'conditioning.learningRateScale=10']).plan;
    expect(probe.task.options.network).toMatchObject({ conditioningInit: 'reference' });
    expect(probe.runs.map((r) => [r.kind, r.training.learningRateScales])).toEqual([['yoto', { 'conditioning/': 10 }], ...plan.runs.slice(1).map((r) => [r.kind, undefined])]);
    // The reference's MLP shape (per-head hidden layers, slope 0.2) likewise only when set.
    expect(plan.task.options.network).not.toHaveProperty('conditioningShared');
    expect(plan.task.options.network).not.toHaveProperty('conditioningSlope');
    const shape = resolveExperiment('style-adjustable', 'default', ['model.conditioningShared=false', 'model.conditioningSlope=0.2']).plan;
    expect(shape.task.options.network).toMatchObject({ conditioningShared: false, conditioningSlope: 0.2 });
    // The content weight's sampling: log-uniform (the default) reaches the plan's space and the task's
    // options; 'uniform' names nothing, so the runs trained before the key keep their identity.
    expect(plan.task.options.space).toMatchObject({ contentSampling: 'logUniform' });
    const uniform = resolveExperiment('style-adjustable', 'default', ['space.contentSampling=uniform']).plan;
    expect(uniform.task.options.space).not.toHaveProperty('contentSampling');
    expect(defineSpace(uniform.space as never).encodings.content).toBe('linearRange');
  });

  it('--set style= picks the painting; bad configs are refused naming the key', () => {
    expect(resolveExperiment('style-adjustable', 'smoke', ['style=03_hokusai_great_wave.jpg']).plan.task.options.style).toBe('03_hokusai_great_wave.jpg');
    const bad = refusesSets('style-adjustable');
    bad(['style=../x.jpg'], "style must be an image file name in style/styles of the data root (e.g. 03_hokusai_great_wave.jpg), got '../x.jpg'");
    bad(['baselines.settings=balanced,pastel'], "--set baselines.settings: unknown 'pastel'; expected a comma-separated list of balanced, content-heavy");
    bad(['data.imageSize=30'], 'data.imageSize must be a multiple of 4');
    bad(['loss.network=vgg'], "--set loss.network: expected one of mobilenet, darknet, got 'vgg'");
    bad(['space.oneHotShare=1.5'], 'space.oneHotShare must be ≤ 1, got 1.5');
    bad(['space.encoding=log'], "--set space.encoding: expected one of linear, linearRange, got 'log'");
    bad(['model.conditioningInit=ones'], "--set model.conditioningInit: expected one of zeros, reference, heHidden, got 'ones'");
    bad(['space.contentLow=2'], 'space.contentLow must be below space.contentHigh (1), got 2');
    bad(['model.widths=8,8'], 'model.widths must list exactly 3 values, got 8,8');
    bad(['loss.path=/models/vgg19'], 'loss.content must name the content layer of loss.path');
    bad(['loss.path=/models/vgg19', 'loss.content=block4_conv2', 'loss.style=block1_conv1,block2_conv1'], 'loss.style must name four style layers of loss.path, shallow to deep');
    bad(['loss.content=block4_conv2'], 'loss.content names layers of loss.path, which is not set');
  });

  it('--set loss.path and layer names select any chain network (a VGG) instead of the presets', () => {
    const vgg = ['loss.path=/models/vgg19_tfjs', 'loss.content=block4_conv2', 'loss.style=block1_conv1,block2_conv1,block3_conv1,block4_conv1'];
    expect(resolveExperiment('style-adjustable', 'smoke', vgg).plan.task.options.lossNetwork).toEqual({
      path: '/models/vgg19_tfjs',
      input: 'caffe',
      content: 'block4_conv2',
      style: ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1'],
    });
  });

  it('without the style dataset, `exp run` stops before training naming it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'yoto-nodata-'));
    try {
      const r = await cli({ YOTO_DATA: empty }, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1');
      expect(r.code).toBe(2);
      expect(r.err).toContain("dataset 'style'");
      expect(r.err).not.toContain('    at ');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

const weights = join(resolveDataRoot(), LOSS_NETWORKS.mobilenet.path, 'model.json');

describe.skipIf(!findDataset('style') || !existsSync(weights))('loss-network files checked before training', () => {
  it('a missing painting, or a truncated or missing MobileNet shard, stops `exp run` with one line naming the file (exit 2)', async () => {
    // A data root whose style photos are the real ones and whose MobileNet folder has one shard cut short, then gone.
    const root = mkdtempSync(join(tmpdir(), 'yoto-badweights-'));
    try {
      symlinkSync(findDataset('style')!, join(root, 'style'));
      const src = dirname(weights);
      const dst = join(root, LOSS_NETWORKS.mobilenet.path);
      mkdirSync(dst, { recursive: true });
      for (const f of readdirSync(src)) symlinkSync(join(src, f), join(dst, f));
      const shard = (JSON.parse(readFileSync(weights, 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0].paths[0];
      rmSync(join(dst, shard));
      writeFileSync(join(dst, shard), readFileSync(join(src, shard)).subarray(0, 100));
      const painting = await cli({ YOTO_DATA: root }, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1', '--set', 'style=no_such_painting.jpg');
      expect(painting.code, painting.err).toBe(2);
      expect(painting.err).toContain(`style=no_such_painting.jpg: no such painting in ${join(root, 'style', 'styles')}; it holds 01_vangogh_starry_night.jpg, `);
      // A preset network whose folder is absent names the file and the dataset that holds it.
      const darknet = await cli({ YOTO_DATA: root }, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1', '--set', 'loss.network=darknet');
      expect(darknet.code, darknet.err).toBe(2);
      expect(darknet.err).toContain(`loss network 'darknet': ${join(root, LOSS_NETWORKS.darknet.path, 'model.json')} not found; it is in the 'weights' dataset`);
      expect(darknet.err).toContain('`pnpm data fetch weights`');
      const cut = await cli({ YOTO_DATA: root }, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1');
      expect(cut.code, cut.err).toBe(2);
      expect(cut.err).toContain(`weight file ${join(dst, shard)} holds 100 bytes, the manifest in model.json expects`);
      expect(cut.err).not.toContain('    at ');
      rmSync(join(dst, shard));
      const gone = await cli({ YOTO_DATA: root }, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1');
      expect(gone.code, gone.err).toBe(2);
      expect(gone.err).toContain(`weight file ${join(dst, shard)} is missing`);
      // The same folder by path and layer names: a layer it does not have is named before training.
      const byPath = ['--set', `loss.path=${src}`, '--set', 'loss.input=symmetric', '--set', 'loss.content=conv_pw_5_relu', '--set', 'loss.style=conv_pw_1_relu,conv_pw_3_relu,block3_conv1,conv_pw_11_relu'];
      const layer = await cli({}, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1', ...byPath);
      expect(layer.code, layer.err).toBe(2);
      expect(layer.err).toContain(`loss network --set loss.path=${src}: ${join(src, 'model.json')}: has no layer 'block3_conv1'; its layers are`);
      const nowhere = await cli({}, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '1', '--set', `loss.path=${join(root, 'nope')}`, ...byPath.slice(2));
      expect(nowhere.code, nowhere.err).toBe(2);
      expect(nowhere.err).toContain(`${join(root, 'nope', 'model.json')} not found; loss.path must be a TensorFlow.js layers model folder`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
const missing = [...(findDataset('style') ? [] : ["dataset 'style'"]), ...(existsSync(weights) ? [] : [`the MobileNet weights ${weights}`])];
describe.skipIf(missing.length > 0)(`pnpm exp run style-adjustable --profile smoke${missing.length ? ` (skipped: ${missing.join(' and ')} not under the data root ${resolveDataRoot()})` : ''}`, () => {
  it('trains YOTO and two baselines, evaluates every setting on held-out photos, and reports', async () => {
    const r = await cli({}, 'run', 'style-adjustable', '--profile', 'smoke', '--workers', '2', '--json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out.split('\n').at(-1)!) as { status: string; runs: { kind: string; steps: number }[]; comparison: { run: string; metrics: Record<string, { yoto: number; baseline: number }> }[]; report: string };
    expect(s.status).toBe('done');
    expect(s.runs.map((x) => `${x.kind}:${x.steps}`).sort()).toEqual(['baseline:8', 'baseline:8', 'yoto:16']);
    expect(s.comparison).toHaveLength(2);
    const record = 'style-adjustable@smoke';
    const tracker = openTracker(join(home, 'tracker.db'));
    try {
      const runs = tracker.listRuns({ experiment: record });
      const yoto = runs.find((x) => x.kind === 'yoto')!;
      const evals = tracker.evaluationPoints(record);
      const points = new Set(evals.filter((e) => e.runId === yoto.id).map((e) => JSON.stringify(e.lambda)));
      // 7 settings + content 0.1, 0.55, 1 at balanced's and style-heavy's style weights, less the settings.
      expect(points.size).toBe(12);
      for (const e of evals.filter((x) => x.metric === 'images')) expect(e.value).toBe(4);
      // The weighted loss is Σ λ·term at every point.
      for (const run of runs)
        for (const key of new Set(evals.filter((e) => e.runId === run.id).map((e) => JSON.stringify(e.lambda)))) {
          const at = (m: string) => evals.find((e) => e.runId === run.id && JSON.stringify(e.lambda) === key && e.metric === m)!.value;
          const lambda = JSON.parse(key) as Record<string, number>;
          const sum = Object.entries(lambda).reduce((a, [t, l]) => a + l * at(t), 0);
          expect(at('weighted_loss')).toBeCloseTo(sum, 6);
        }
      const pictures = tracker.listArtifacts(record, { kind: 'image' }).map((a) => a.path.split('/').at(-1)).sort();
      expect(pictures).toEqual(['lambda-sweep.webp', 'style-baselines.png', 'style-loss-choice.png', 'style-matrix.png']);
    } finally {
      tracker.close();
    }
    expect(existsSync(s.report)).toBe(true);
    const reportDir = join(home, 'reports', 'style-adjustable@smoke');
    expect(readFileSync(join(reportDir, 'style-matrix.png')).subarray(1, 4).toString()).toBe('PNG');
    // The animation has a frame per matrix column (content weights 0.1, 0.55, 1).
    const sharp = (await import('sharp')).default;
    expect((await sharp(join(reportDir, 'lambda-sweep.webp')).metadata()).pages).toBe(3);
    // The style report's own charts stand in for the generic ones that order the grid by content weight alone.
    for (const id of ['style-tradeoff', 'style-terms', 'style-gap']) expect(existsSync(join(reportDir, `${id}.svg`)), id).toBe(true);
    for (const id of ['tradeoff-1', 'metrics-vs-lambda', 'gap']) expect(existsSync(join(reportDir, `${id}.svg`)), id).toBe(false);
    // 79–90 s measured at a load average of 16 on 2 cores (about 20 s of it training).
  }, 240_000);
});
