import type { ParsedArgs } from '../cli/args.js';
import type { CliIo } from '../cli/main.js';
import { UsageError } from '../errors.js';
import { resolveExperiment } from '../experiments/registry.js';
import { startExplorer } from '../explore/explorer.js';
import { checkHome, resolveHome } from '../runner/home.js';

/** `exp explore <experiment>`: serves the interactive trade-off page until Ctrl-C. */
export async function exploreCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const name = args.positionals[0];
  const resolved = resolveExperiment(name, (args.flags.profile as string | undefined) ?? 'default', []);
  const home = resolveHome(io.env, io.cwd);
  checkHome(home, 'read', name);
  const port = args.flags.port as number | undefined;
  if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`--port must be a port number 0–65535 (0: any free port), got ${port}`);
  const explorer = await startExplorer({ home, resolved, run: args.flags.run as number | undefined, port });
  io.out(`explorer for ${explorer.record}: ${explorer.url}  (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await explorer.close();
  return 0;
}
