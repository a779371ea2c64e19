/**
 * The anchor (anchors/dnnl_conv.cpp: oneDNN called directly on tensors in tfjs's layouts), built once
 * with g++ and kept running beside the bench, answering one timing request at a time on its stdin,
 * so that an anchor rep can sit right beside each native rep (paired.ts) without a process start per
 * rep.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ANCHOR_LAYOUTS = ['plain', 'blocked', 'nhwc'] as const;
export type AnchorLayout = (typeof ANCHOR_LAYOUTS)[number];

/** The anchor's source, for messages and the help text. */
export const ANCHOR_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'anchors', 'dnnl_conv.cpp');

/** One anchor rep: ms per call, G multiply-adds/s, and oneDNN's implementation of the pass. */
export interface AnchorRep {
  ms: number;
  gmacs: number;
  impl: string;
}

export class Anchor {
  private stderr = '';
  /** Resolves with the exit code once the process has ended and its output is read. */
  private readonly closed: Promise<number | null>;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('error', (e) => (this.stderr += e.message));
    // A write after the anchor died fails here; the next read reports why it died.
    child.stdin.on('error', () => {});
    this.closed = new Promise((done) => child.once('close', done));
  }

  /** Builds the anchor and starts it on `threads` OpenMP threads; the anchor, or why not. */
  static start(threads: number): Anchor | string {
    const dir = mkdtempSync(join(tmpdir(), 'dnnl-anchor-'));
    const exe = join(dir, 'anchor');
    const build = spawnSync('g++', ['-O2', '-std=c++17', ANCHOR_SOURCE, '-ldnnl', '-o', exe], { encoding: 'utf8' });
    if (build.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return `g++ failed on ${ANCHOR_SOURCE} (needs libdnnl-dev): ${(build.stderr || build.error?.message || '').trim().split('\n')[0]}`;
    }
    const child = spawn(exe, [], { env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
    // spawn returns once the program is exec'd, and a running program needs no path: the build goes
    // now rather than at close, which an exiting bench would not wait for (one directory per run was left).
    rmSync(dir, { recursive: true, force: true });
    return new Anchor(child, createInterface({ input: child.stdout })[Symbol.asyncIterator]());
  }

  /** Calls of a pass that fill one rep of at least `repMs` (after one untimed call and a warm-up rep). */
  async calls(shape: string, layout: AnchorLayout, pass: string, repMs: number): Promise<number> {
    return ((await this.request(`calls ${shape} ${layout} ${pass} ${repMs}`)) as { calls: number }).calls;
  }

  /** One rep: an untimed call, then `calls` timed calls. */
  async rep(shape: string, layout: AnchorLayout, pass: string, calls: number): Promise<AnchorRep> {
    return (await this.request(`rep ${shape} ${layout} ${pass} ${calls}`)) as AnchorRep;
  }

  /** Ends the anchor (it exits at the end of its stdin). */
  close(): void {
    this.child.stdin.end();
  }

  private async request(line: string): Promise<unknown> {
    this.child.stdin.write(`${line}\n`);
    // Its answer is the next JSON line (DNNL_VERBOSE=1 interleaves oneDNN's own lines).
    for (;;) {
      const next = await this.lines.next();
      if (next.done) {
        const code = await this.closed;
        throw new Error(`the anchor ${ANCHOR_SOURCE} exited with ${code} on "${line}": ${this.stderr.trim().split('\n')[0] ?? ''}`);
      }
      if (next.value.startsWith('{')) return JSON.parse(next.value);
    }
  }
}
