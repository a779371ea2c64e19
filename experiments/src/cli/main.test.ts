import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_CHOICES } from '@yoto/core/backend-choices';
import { runCli } from '../testing/cli.js';

const home = mkdtempSync(join(tmpdir(), 'yoto-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(argv, { env: { YOTO_HOME: home }, cwd: home });

describe('exp CLI usage errors (exit code 2, listing what exists)', () => {
  it('unknown command', async () => {
    const r = await cli('train');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'train'; commands: list, run, worker, report, show-config, runs, show, export, help");
  });

  it('a name the command table inherits from Object is still an unknown command', async () => {
    for (const argv of [['constructor'], ['toString'], ['help', 'hasOwnProperty']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toBe(`error: unknown command '${argv.at(-1)}'; commands: list, run, worker, report, show-config, runs, show, export, help, codec, stylize, explore`);
    }
  });

  it('unknown experiment', async () => {
    const r = await cli('run', 'vae-sweep');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown experiment 'vae-sweep'; experiments: vae-beta-sweep");
  });

  it('unknown profile', async () => {
    const r = await cli('run', 'vae-beta-sweep', '--profile', 'tiny');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown profile 'tiny' for experiment 'vae-beta-sweep'; profiles: smoke, default, full");
  });

  it('unknown flag', async () => {
    const r = await cli('run', 'vae-beta-sweep', '--worker', '2');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--worker' for 'run'; options: --profile, --workers, --backend, --set, --retry-failed, --queue, --json");
  });

  it('unknown --set key: one line naming the keys of the group meant', async () => {
    const r = await cli('run', 'vae-beta-sweep', '--profile', 'smoke', '--set', 'yoto.step=10');
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: unknown config key 'yoto.step'; keys in 'yoto': yoto.steps");
  });

  it('show-config prints every key from the schema: value, unit, meaning and the kind --set takes', async () => {
    const r = await cli('show-config', 'vae-beta-sweep', '--profile', 'smoke');
    expect(r.code).toBe(0);
    expect(r.out).toContain("  yoto.steps = 160 steps [integer] the YOTO model's training budget\n");
    expect(r.out).toContain('  baselines.betas = 0.5,8 [number list] β of the fixed-β baselines, inside [beta.low, beta.high]\n');
    expect(r.out).toContain("  train.schedule = cosine [cosine|constant] learning-rate schedule over each run's own steps ('cosine' decays to 0)\n");
    expect(r.out).toContain('  data.trainLimit = 2048 [integer] training images (first n of MNIST');
  });

  it('--set value of the wrong type', async () => {
    const r = await cli('run', 'vae-beta-sweep', '--set', 'yoto.steps=lots');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--set yoto.steps: expected an integer, got 'lots'");
    const b = await cli('run', 'vae-beta-sweep', '--set', 'baselines.betas=1,two');
    expect(b.code).toBe(2);
    expect(b.err).toContain('expected a comma-separated list of numbers');
  });

  it('wrong flag values and arity', async () => {
    expect((await cli('run', 'vae-beta-sweep', '--workers', 'x')).err).toContain("--workers expects an integer, got 'x'");
    expect((await cli('run', 'vae-beta-sweep', '--workers', '0')).err).toContain('--workers must be at least 1, got 0');
    const b = await cli('run', 'vae-beta-sweep', '--backend', 'tpu');
    expect(b.code).toBe(2);
    expect(b.err).toContain("unknown backend 'tpu'; backends: auto, node-gpu, node, wasm+dnnl, wasm, cpu");
    expect((await cli('run')).err).toContain("'run' needs <experiment>");
    expect((await cli('show', '1', '2')).err).toContain("unexpected argument '2'");
    expect((await cli('export', '--format', 'xml')).err).toContain("--format must be one of csv, json, got 'xml'");
    expect((await cli('show', 'abc')).err).toContain("run id must be a number");
  });
});

describe('exp CLI informational commands', () => {
  it('help lists every command, and a command’s flags', async () => {
    const all = await cli('help');
    expect(all.code).toBe(0);
    for (const c of ['list', 'run', 'report', 'runs', 'show', 'export', 'help']) expect(all.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    const run = await cli('help', 'run');
    expect(run.out).toContain('--workers n');
    expect((await cli('run', '--help')).out).toContain('usage: pnpm exp run <experiment>');
  });

  it('every --backend help lists every backend initBackend takes, and only run says its JSON comes last', async () => {
    for (const c of ['run', 'codec', 'stylize']) {
      const help = (await cli('help', c)).out;
      const line = help.split('\n').find((l) => l.trimStart().startsWith('--backend')) ?? '';
      for (const b of BACKEND_CHOICES) expect(line, `${c}: ${b}`).toMatch(new RegExp(`[ :]${b.replace('+', '\\+')}[,( ]`));
    }
    for (const c of ['show-config', 'runs', 'show', 'codec', 'stylize']) {
      const help = (await cli('help', c)).out;
      expect(help, c).toMatch(/--json +print a JSON document$/m);
    }
    expect((await cli('help', 'run')).out).toMatch(/--json +print a JSON document as the last line/);
    expect((await cli('help', 'show-config')).out).toContain('[--set key=value]... [--json]');
  });

  it('list states budgets as steps and as compute share', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.out).toContain('vae-beta-sweep');
    expect(r.out).toMatch(/--profile default .*\n\s+YOTO 12000 steps; 5 baselines × 6000 steps = 30000; compute share 40% of the baselines'/);
  });

  it('show-config applies --set and prints the resolved config as JSON', async () => {
    const r = await cli('show-config', 'vae-beta-sweep', '--profile', 'smoke', '--set', 'yoto.steps=40', '--json');
    const j = JSON.parse(r.out) as { config: { yoto: { steps: number } }; budget: { share: number } };
    expect(j.config.yoto.steps).toBe(40);
    expect(j.budget.share).toBeCloseTo(40 / 200, 12);
  });

  it('tracker commands on an empty YOTO_HOME explain that nothing has run', async () => {
    const r = await cli('runs');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`nothing recorded under ${home} yet; run \`pnpm exp run <experiment>\` first`);
  });
});
