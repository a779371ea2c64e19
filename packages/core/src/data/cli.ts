/**
 * Dataset commands: `list`, `path <name>`, `verify <name>`, `fetch <name>`, each with an optional
 * `--root <dir>` (else YOTO_DATA, else the per-user cache folder).
 *   npx tsx packages/core/src/data/cli.ts fetch kodak
 */
import { pathToFileURL } from 'node:url';
import { parseFlags } from '@yoto/flags';
import './catalog.js';
import { datasetPath, findDataset, getDataset, listDatasets, requireDataset } from './dataset.js';
import { fetchDataset } from './fetch.js';
import { resolveDataRoot } from './root.js';
import { formatVerifyReport, verifyDataset } from './verify.js';

const USAGE = 'usage: data <list | path NAME | verify NAME | fetch NAME> [--root DIR]';

/** Runs one command; returns the process exit code. Output goes through `out` (stdout by default). */
export async function dataCli(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { flags, positionals } = parseFlags('data', argv, { root: { type: 'string' } }, USAGE.replace(/^usage: /, ''), { positionals: true });
  const root = flags.root;
  const [command, name, ...rest] = positionals;
  // No command asks what there is to do: the usage, as --help, not an error.
  if (flags.help || command === undefined) {
    out(USAGE);
    return 0;
  }
  if (rest.length > 0) throw new Error(`unexpected arguments: ${rest.join(' ')}; ${USAGE}`);
  const needName = (): string => {
    if (!name) throw new Error(`'${command}' needs a dataset name (${listDatasets().map((d) => d.name).join(', ')}); ${USAGE}`);
    getDataset(name);
    return name;
  };
  switch (command) {
    case 'list':
      out(`data root: ${resolveDataRoot(root)}`);
      for (const d of listDatasets()) {
        const found = findDataset(d.name, root);
        out(`${d.name.padEnd(14)} ${found ? `present at ${found}` : `absent (${datasetPath(d.name, root)})`}  ${d.description}`);
      }
      return 0;
    case 'path':
      out(requireDataset(needName(), root));
      return 0;
    case 'verify': {
      const report = await verifyDataset(needName(), root);
      out(formatVerifyReport(report));
      return report.ok ? 0 : 1;
    }
    case 'fetch': {
      const { dir } = await fetchDataset(needName(), { root, log: out });
      out(dir);
      return 0;
    }
    default:
      throw new Error(`unknown command '${command}'; ${USAGE}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  dataCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    },
  );
}
