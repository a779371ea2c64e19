import type { RngState } from '../random/rng.js';
import type { AdamState } from '../train/adam.js';
import type { DivergenceGuardState } from '../train/divergence.js';
import { CheckpointError } from './errors.js';
import type { NamedArrays } from './named-arrays.js';
import { sha256 } from './sha256.js';

/**
 * Binary checkpoint layout (all integers little-endian):
 *   "YOTOCKPT" | u32 format version | u32 header length H | header JSON (H bytes, UTF-8)
 *   | zero padding to a multiple of 4 | float32 data | SHA-256 of everything before it (32 bytes)
 * The header lists every tensor (name, slot, shape, offset in floats into the data section), so the
 * file is self-describing; the trailing digest catches corruption and truncation.
 */
export const CHECKPOINT_MAGIC = 'YOTOCKPT';
export const CHECKPOINT_FORMAT_VERSION = 1;
const PREFIX = 16;
const DIGEST = 32;

/** The state of a training run at a step boundary. */
export interface Checkpoint {
  /** Task name. */
  task: string;
  /** Completed optimisation steps; a resumed run continues with step index `step`. */
  step: number;
  /** State of the trainer's λ sampler (null in fixed mode, which draws nothing). */
  rngState: RngState | null;
  /** The trajectory-relevant training configuration (see `trajectoryConfig`). */
  config: Record<string, unknown>;
  /** `space.toJSON()` of the coefficient space the model was built for. */
  space: unknown;
  conditioned: boolean;
  /** Model weights by stable parameter name. */
  params: NamedArrays;
  adam: AdamState | null;
  /** The trainer's divergence guard after `step` steps (absent in checkpoints written before it was saved). */
  divergenceGuard?: DivergenceGuardState;
  /** The tfjs backend that wrote it (informational). */
  backend?: string;
  createdAt?: string;
}

type Slot = 'param' | 'adam.m' | 'adam.v';
interface TensorEntry {
  name: string;
  slot: Slot;
  shape: number[];
  offset: number;
}
interface Header extends Omit<Checkpoint, 'params' | 'adam'> {
  adamIteration: number | null;
  tensors: TensorEntry[];
  dataBytes: number;
}

function assertLittleEndian(): void {
  // No node:os here: the browser explorer decodes checkpoints with this module too.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('checkpoints are stored as little-endian float32; this host is big-endian');
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  assertLittleEndian();
  const tensors: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let floats = 0;
  const add = (slot: Slot, arrays: NamedArrays): void => {
    for (const [name, { shape, values }] of Object.entries(arrays)) {
      if (values.length !== shape.reduce((a, b) => a * b, 1))
        throw new Error(`encodeCheckpoint: '${name}' (${slot}) has ${values.length} values for shape [${shape.join(', ')}]`);
      tensors.push({ name, slot, shape: [...shape], offset: floats });
      chunks.push(values);
      floats += values.length;
    }
  };
  add('param', c.params);
  if (c.adam) {
    add('adam.m', c.adam.m);
    add('adam.v', c.adam.v);
  }
  const { params: _p, adam: _a, ...rest } = c;
  const header: Header = { ...rest, adamIteration: c.adam ? c.adam.iteration : null, tensors, dataBytes: floats * 4 };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREFIX + json.length);
  const total = dataStart + floats * 4 + DIGEST;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREFIX);
  const data = new Float32Array(out.buffer, dataStart, floats);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  out.set(sha256(out.subarray(0, total - DIGEST)), total - DIGEST);
  return out;
}

/** Parses and verifies a checkpoint; every error starts with `label` (usually the file path). */
export function decodeCheckpoint(bytes: Uint8Array, label: string): Checkpoint {
  assertLittleEndian();
  const fail = (why: string): Error => new CheckpointError(label, 'CHECKPOINT_DAMAGED', why);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC)
    throw fail(bytes.length < 8 ? `is not a YOTO checkpoint (only ${bytes.length} bytes)` : `is not a YOTO checkpoint (it does not start with '${CHECKPOINT_MAGIC}')`);
  if (bytes.length < PREFIX + DIGEST) throw fail(`is truncated (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION)
    throw new CheckpointError(label, 'CHECKPOINT_INCOMPATIBLE', `has format version ${version}; this build reads version ${CHECKPOINT_FORMAT_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (PREFIX + headerLength + DIGEST > bytes.length) throw fail(`is truncated: its header alone needs ${PREFIX + headerLength + DIGEST} bytes, the file has ${bytes.length}`);
  let header: Header | null = null;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength))) as Header;
  } catch {
    header = null; // reported below, after the checksum says whether the file is damaged
  }
  const dataStart = align4(PREFIX + headerLength);
  if (header && Number.isInteger(header.dataBytes)) {
    const expected = dataStart + header.dataBytes + DIGEST;
    if (bytes.length < expected) throw fail(`is truncated: expected ${expected} bytes, the file has ${bytes.length}`);
    if (bytes.length > expected) throw fail(`has ${bytes.length - expected} unexpected bytes after its data (expected ${expected} bytes)`);
  }
  const digest = sha256(bytes.subarray(0, bytes.length - DIGEST));
  if (!digest.every((b, i) => b === bytes[bytes.length - DIGEST + i])) throw fail('checksum mismatch: the file is corrupt');
  if (!header || !Array.isArray(header.tensors)) throw fail('has an unreadable header');

  // Copied into a fresh, aligned buffer (a Node Buffer may be a view into a shared pool).
  const raw = new Uint8Array(header.dataBytes);
  raw.set(bytes.subarray(dataStart, dataStart + header.dataBytes));
  const data = new Float32Array(raw.buffer);
  const params: NamedArrays = {};
  const m: NamedArrays = {};
  const v: NamedArrays = {};
  for (const t of header.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + size > data.length) throw fail(`tensor '${t.name}' lies outside the data section`);
    const target = t.slot === 'param' ? params : t.slot === 'adam.m' ? m : t.slot === 'adam.v' ? v : null;
    if (!target) throw fail(`tensor '${t.name}' has an unknown slot '${String(t.slot)}'`);
    target[t.name] = { shape: t.shape, values: data.slice(t.offset, t.offset + size) };
  }
  const { tensors: _t, dataBytes: _d, adamIteration, ...rest } = header;
  return { ...rest, params, adam: adamIteration === null ? null : { iteration: adamIteration, m, v } };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
