/**
 * @yoto/tracker: the SQLite store of experiments, runs, metrics, evaluations and artifacts; its
 * queries and exports; and the Vega-Lite reports built from them. Knows nothing of tfjs: the
 * trainer reaches it through core's `MetricSink`, which a RunHandle implements structurally.
 */
export { openTracker, Tracker, type TrackerOptions } from './store.js';
export { RunHandle } from './run.js';
export { TrackerError, type TrackerErrorCode } from './errors.js';
export { SCHEMA_VERSION } from './db/schema.js';
export * from './types.js';
export { exportRows, writeExport, parseExportFormat, EXPORT_FORMATS, type ExportFormat } from './export.js';
export {
  buildReport,
  type Report,
  type ReportChart,
  type ReportOptions,
  type ReportTable,
  type TradeoffAxes,
} from './report/build.js';
export { renderReport, REPORT_FORMATS, type RenderOptions, type RenderedReport, type ReportFormat } from './report/write.js';
export { chartToSvg, svgToPng, textWidth } from './report/render.js';
export { escapeXml } from './report/escape.js';
export { sameLambda } from './util/values.js';
export { reportHtml } from './report/html.js';
export * as specs from './report/specs.js';
export { writeFileAtomic } from './util/atomic.js';
export { detectGitRevision } from './util/host.js';
