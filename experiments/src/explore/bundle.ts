import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The page's files, built in memory: its HTML, one bundled script (tfjs, vega, the page), tfjs's wasm binaries. */
export interface PageBundle {
  html: string;
  script: string;
  /** File name → bytes of tfjs-backend-wasm's binaries, served under /wasm/. */
  wasm: Map<string, Uint8Array>;
}

/**
 * Bundles the explorer page with esbuild for the browser. The "browser" export condition makes
 * `@yoto/core` and the task packages resolve to their Node-free builds, so model code that imports a
 * Node module fails here, with esbuild naming the import chain, rather than in the page. Everything
 * the page loads comes from this bundle and the local server: it works offline.
 */
export async function bundlePage(): Promise<PageBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(HERE, 'page', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = result.outputFiles[0].text;
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const wasm = new Map(readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).map((f) => [f, new Uint8Array(readFileSync(join(wasmDir, f)))]));
  return { html: readFileSync(join(HERE, 'page', 'index.html'), 'utf8'), script, wasm };
}
