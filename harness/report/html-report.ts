import type { CheckResult } from '../evidence/check-result.js';
import { layoutHistory } from '../evidence/history.js';
import { latencySamples, type LatencyMetric } from '../evidence/latency.js';
import type { JournalEvent, LayoutName } from '../journal/events.js';
import { renderDistribution } from './distribution-chart.js';
import type { RunReport } from './run-report.js';
import { comparisonRows, explainLocks, tableLayouts } from './table.js';
import { loadSvgChartRenderer } from './svg-chart.js';
import { renderTimeline, type TimelineWindow } from './timeline-chart.js';

/**
 * report.html: one self-contained page (inline CSS, charts as inline SVG, no script, no
 * network) with the verdict, the comparison, every checker's verdict and first violation, a
 * swimlane timeline per layout and the latency distributions.
 */
const DISTRIBUTIONS: readonly LatencyMetric[] = ['lock_wait', 'refresh_latency'];

export async function renderHtml(report: RunReport, events: readonly JournalEvent[]): Promise<string> {
  const render = await loadSvgChartRenderer();
  const layouts = Object.keys(report.evidence) as LayoutName[];
  const histories = new Map(layouts.map((layout) => [layout, layoutHistory(events, layout)]));
  const samples = new Map(layouts.map((layout) => [layout, latencySamples(histories.get(layout)!)]));
  const body = [
    `<h1 class="${report.verdict}">tokenrace ${escape(report.command)}: ${report.verdict.toUpperCase()}</h1>`,
    `<ul>${report.reasons.map((reason) => `<li>${escape(reason)}</li>`).join('')}</ul>`,
    `<p class="meta">run ${escape(report.run_id)} · ${report.workers} workers · ${report.duration_ms} ms per layout · ` +
      `isolation ${escape(report.isolation)} · profile ${escape(report.profile)} · seed ${report.seed}</p>`,
    '<h2>Comparison</h2>',
    comparisonTable(report),
    `<p>${escape(explainLocks(report))}</p>`,
    '<h2>Checkers</h2>',
    ...layouts.map((layout) => checkerTable(layout, report.evidence[layout]!.checks, report.evidence[layout]!.verdict)),
    '<h2>Timeline</h2>',
    '<p class="legend">One lane per worker, time from the first session\'s start, in panels of at most 5 s. ' +
      'Grey: waiting for the lock; coloured bars: holding it (one colour per lock location; eight colours, reused past eight locations); green: refresh POST in flight; red diamonds: invalid_grant; ' +
      'orange triangles: API 401; dark ticks: endpoint faults injected. Red shading: two or more workers held a lock at once.</p>',
    ...layouts.map((layout) => timelineFigures(layout, renderTimeline(render, histories.get(layout)!, report.layouts[layout]?.workers ?? report.workers))),
    '<h2>Distributions</h2>',
    '<div class="row">',
    ...DISTRIBUTIONS.map(
      (metric) =>
        `<figure class="chart distribution" data-chart="distribution-${metric}">` +
        renderDistribution(render, metric, Object.fromEntries(layouts.map((layout) => [layout, samples.get(layout)![metric]]))) +
        '</figure>',
    ),
    '</div>',
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>tokenrace ${escape(report.run_id)}: ${report.verdict}</title>
<style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

/** A figure per window of the layout's timeline; the attributes say which seconds it covers. */
function timelineFigures(layout: LayoutName, windows: readonly TimelineWindow[]): string {
  const figures = windows.map(
    (window) =>
      `<figure class="chart timeline" data-chart="timeline-${layout}" data-from-s="${window.fromS}" data-to-s="${window.toS}">` +
      `<figcaption>${layout}, ${window.fromS}–${window.toS} s</figcaption>${window.svg}</figure>`,
  );
  return `<h3>${layout}</h3>${figures.join('')}`;
}

function comparisonTable(report: RunReport): string {
  const head = `<tr><th></th>${tableLayouts(report).map((layout) => `<th>${layout}</th>`).join('')}</tr>`;
  const rows = comparisonRows(report).map(([label, ...cells]) => `<tr><th>${escape(label!)}</th>${cells.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`);
  return `<table class="comparison">${head}${rows.join('')}</table>`;
}

function checkerTable(layout: LayoutName, checks: readonly CheckResult[], verdict: string): string {
  const rows = checks.map((check) => {
    const violation = check.first_violation
      ? `<details><summary>${escape(check.first_violation.description)}</summary><pre>` +
        `${escape(check.first_violation.events.map((event) => JSON.stringify(event)).join('\n'))}</pre></details>`
      : '';
    return `<tr><td>${check.checker}</td><td class="${check.status}">${check.status}</td><td>${escape(check.summary)}${violation}</td></tr>`;
  });
  return `<h3>${layout}: <span class="${verdict}">${verdict}</span></h3><table class="checkers">${rows.join('')}</table>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1.pass, .pass { color: #1a7f37; } h1.fail, .fail { color: #cf222e; }
h1.inconclusive, .inconclusive { color: #9a6700; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.comparison td { text-align: right; font-variant-numeric: tabular-nums; }
.meta, .legend { color: #555; }
figure.chart { margin: 8px 0; }
figure.timeline { overflow-x: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 12px; padding: 2px 6px; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
pre { font-size: 11px; max-width: 1100px; overflow-x: auto; }
`;
