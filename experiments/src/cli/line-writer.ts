/**
 * Writes lines to a standard stream whose reader may go away: `pnpm exp list | head -3` closes the
 * pipe after three lines, and Node reports that as an 'error' event (EPIPE) which, unhandled,
 * crashes the process with a stack trace. A closed reader only means nobody wants more output, so
 * later lines are dropped and the command goes on to its normal end — for `exp run` that matters:
 * its workers still checkpoint and its runs are still recorded. Any other stream error is rethrown.
 */
export function lineWriter(stream: NodeJS.WritableStream): (line: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}
