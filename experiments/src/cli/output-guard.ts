import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface OutputRule {
  /** The files the command reads (checkpoints, images, streams, the tracker database). */
  inputs: readonly string[];
  /** `--force` was given: an existing output may be replaced (never an input). */
  force: boolean;
  /** The only extension the output may have, e.g. `.yoto` (case-insensitive). */
  extension?: string;
  /** What the output holds, for the messages ("bitstream", "decoded image"). */
  what?: string;
}

/**
 * The one check every command runs before it writes a file the user named: outputs are never
 * inputs, and an existing file is replaced only with `--force`. Called before any work, so a
 * refused command costs nothing and changes nothing.
 *
 * "The same file" is decided on the file system, not on the spelling: real paths (so `./a`,
 * `../x/a` and a symlink to `a` are one file), and device + inode (so a hard link to a checkpoint
 * counts as the checkpoint). A plain string comparison let `compress ... ckpt ckpt` replace a
 * trained model with a bitstream.
 */
export function guardOutput(output: string, rule: OutputRule): void {
  const what = rule.what ?? 'output';
  const target = realTarget(output);
  const existing = statOrNull(output);
  for (const input of rule.inputs) {
    const inputStat = statOrNull(input);
    const sameInode = existing !== null && inputStat !== null && existing.dev === inputStat.dev && existing.ino === inputStat.ino;
    if (sameInode || realTarget(input) === target)
      throw new UsageError(`${what} ${output} is also an input of this command (${input}); choose another name`);
  }
  // After the input check, so a command aimed at its own input hears that first.
  if (rule.extension !== undefined && extname(output).toLowerCase() !== rule.extension.toLowerCase())
    throw new UsageError(`${what} ${output}: name it *${rule.extension} (this command writes ${rule.extension} files only)`);
  if (existing === null) return;
  if (existing.isDirectory()) throw new UsageError(`${what} ${output} is a folder; name a file (e.g. ${join(output, `out${rule.extension ?? ''}`)})`);
  if (!rule.force) throw new UsageError(`${what} ${output} already exists; pass --force to replace it`);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The canonical path `path` names, whether or not it exists yet: the real path of its nearest
 * existing ancestor (symlinks resolved) joined with the parts that do not exist.
 */
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(realTarget(parent), basename(path));
  }
}
