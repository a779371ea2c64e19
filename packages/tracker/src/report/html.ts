import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import type { ArtifactRecord } from '../types.js';
import type { Report, ReportTable } from './build.js';
import { escapeXml as esc } from './escape.js';

const require = createRequire(import.meta.url);

/** The browser builds of vega, vega-lite and vega-embed, read from node_modules (no CDN). */
function libraryScripts(): { name: string; code: string }[] {
  const build = (pkg: string, file: string) => join(dirname(require.resolve(pkg)), file);
  return [
    { name: 'vega', code: readFileSync(build('vega', 'vega.min.js'), 'utf8') },
    { name: 'vega-lite', code: readFileSync(build('vega-lite', 'vega-lite.min.js'), 'utf8') },
    { name: 'vega-embed', code: readFileSync(build('vega-embed', 'vega-embed.min.js'), 'utf8') },
  ];
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

/**
 * One self-contained page: the libraries inlined, the chart specs as JSON, tables as HTML and image
 * artifacts as data URIs. It works from file:// with no network.
 */
export function reportHtml(report: Report): string {
  const specs = report.charts.map((c) => ({ id: `chart-${c.id}`, spec: c.spec }));
  const scripts = libraryScripts()
    .map((s) => `<script data-lib="${s.name}">${escapeScript(s.code)}</script>`)
    .join('\n');
  const e = report.experiment;
  const when = new Date(report.generatedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title>
<style>
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; font-size: 13px; }
figure.chart { margin: 16px 0; }
.chart-error { color: #b00020; font-family: monospace; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; }
td.text { text-align: left; }
.images { display: flex; flex-wrap: wrap; gap: 16px; }
.images figure { margin: 0; }
.images img { max-width: 360px; image-rendering: pixelated; border: 1px solid #ddd; }
figcaption { font-size: 12px; color: #555; }
.notes li { font-size: 13px; color: #6a4b00; }
</style>
</head>
<body>
<h1>${esc(report.title)}</h1>
<p class="meta">Experiment <b>${esc(e.name)}</b> (#${e.id})${e.task ? `, task ${esc(e.task)}` : ''}${
    report.lambdaKey ? `, λ axis: ${esc(report.lambdaKey)}` : ''
  }. Generated ${esc(when)}.</p>
${e.description ? `<p>${esc(e.description)}</p>` : ''}
${report.notes.length ? `<ul class="notes">${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Charts</h2>
${report.charts.map((c) => `<figure class="chart"><div id="chart-${esc(c.id)}" class="vega-chart" data-title="${esc(c.title)}"></div></figure>`).join('\n')}
${report.images.length ? `<h2>Images</h2>\n<div class="images">${report.images.map(imageFigure).join('\n')}</div>` : ''}
<h2>Tables</h2>
${report.tables.map(tableHtml).join('\n')}
${scripts}
<script type="application/json" id="yoto-specs">${escapeScript(JSON.stringify(specs))}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('yoto-specs').textContent);
  var state = { total: specs.length, rendered: 0, failed: [], done: false };
  window.__yotoReport = state;
  Promise.all(specs.map(function (s) {
    return vegaEmbed('#' + s.id, s.spec, { renderer: 'svg', actions: false })
      .then(function () { state.rendered++; })
      .catch(function (err) {
        state.failed.push(s.id);
        console.error('chart ' + s.id + ' failed: ' + err);
        var el = document.getElementById(s.id);
        el.textContent = 'This chart could not be drawn: ' + err;
        el.className += ' chart-error';
      });
  })).then(function () { state.done = true; });
})();
</script>
</body>
</html>
`;
}

function imageFigure(a: ArtifactRecord): string {
  const caption = `${a.kind}: ${basename(a.path)}${metaCaption(a.meta)}`;
  const mime = MIME[extname(a.path).toLowerCase()];
  if (!mime) return `<figure><figcaption>${esc(caption)} (not an image format the page can embed)</figcaption></figure>`;
  if (!existsSync(a.path)) return `<figure><figcaption>${esc(caption)} (file missing: ${esc(a.path)})</figcaption></figure>`;
  const data = readFileSync(a.path);
  const changed = createHash('sha256').update(data).digest('hex') !== a.sha256 ? ' (changed since it was recorded)' : '';
  return `<figure><img alt="${esc(caption)}" src="data:${mime};base64,${data.toString('base64')}"><figcaption>${esc(caption + changed)}</figcaption></figure>`;
}

function metaCaption(meta: unknown): string {
  if (meta === null || typeof meta !== 'object') return '';
  const parts = Object.entries(meta as Record<string, unknown>).map(([k, v]) => `${k}=${typeof v === 'number' ? fmtNumber(v) : String(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function tableHtml(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${t.columns.map((c) => cell(r[c])).join('')}</tr>`)
    .join('\n');
  return `<h3 id="table-${esc(t.id)}">${esc(t.title)}</h3>\n<table data-table="${esc(t.id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '<td></td>';
  if (typeof v === 'number') return `<td>${esc(fmtNumber(v))}</td>`;
  return `<td class="text">${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td>`;
}

export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
}

/** Inline script text must not contain `</script` or `<!--`, which would end or confuse the element. */
function escapeScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
