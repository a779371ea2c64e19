// Entry point of `pnpm exp`: see cli/main.ts for the commands.
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
