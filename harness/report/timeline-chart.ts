import type * as echarts from 'echarts';
import { extractHolds, type Hold } from '../evidence/history.js';
import type { JournalEvent } from '../journal/events.js';
import type { SvgChartRenderer } from './svg-chart.js';

/**
 * The swimlane timeline of one layout: a lane per worker; lock waits, lock holds (coloured by
 * lock location, so different locks held at once show as different colours side by side) and
 * refresh POSTs as bars; invalid_grant, API 401 and endpoint faults as marks; spans where two or
 * more holders overlapped shaded red.
 *
 * A static SVG cannot zoom (ECharts' dataZoom needs its runtime, and the page has no script), so
 * a long run is split into windows of at most WINDOW_S seconds, each drawn at the full page
 * width: 10 s at 64 workers is three panels of ~250 px a second and 14 px a lane, each whole in
 * a 1400 px wide browser (and so in a screenshot), instead of one chart that scrolls sideways.
 */
const KIND_COLORS = { wait: '#d9d9d9', post: '#2ca02c' } as const;
const LOCATION_COLORS = ['#1f77b4', '#9467bd', '#8c564b', '#17becf', '#bcbd22', '#e377c2', '#7f7f7f', '#393b79'];
const LANE_PX = 14;
const WINDOW_S = 5;
const PANEL_WIDTH_PX = 1300;

interface Bar {
  lane: number;
  start: number;
  end: number;
  color: string;
}

/** One panel of the timeline: the seconds it covers (from the first session's start) and its SVG. */
export interface TimelineWindow {
  fromS: number;
  toS: number;
  svg: string;
}

export function renderTimeline(render: SvgChartRenderer, history: readonly JournalEvent[], workers: number): TimelineWindow[] {
  const origin = history.find((event) => event.type === 'session_start')?.t ?? history[0]?.t ?? 0;
  const sec = (t: number) => Math.round(t - origin) / 1000;
  const holds = extractHolds(history);
  const locations = [...new Set(holds.map((hold) => hold.location))];
  const bars: Bar[] = [
    ...spans(history, 'lock_acquiring', ['lock_acquired', 'lock_retry_limit_reached']).map((span) => ({ ...span, color: KIND_COLORS.wait })),
    ...holds.map((hold) => ({ lane: hold.worker, start: hold.start, end: hold.end, color: LOCATION_COLORS[locations.indexOf(hold.location) % LOCATION_COLORS.length]! })),
    ...spans(history, 'refresh_start', ['refresh_ok', 'invalid_grant', 'refresh_error']).map((span) => ({ ...span, color: KIND_COLORS.post })),
  ];
  const marks = (type: string) =>
    history.filter((event) => event.type === type && 'worker' in event).map((event) => ({ t: event.t, lane: (event as { worker: number }).worker }));
  // Endpoint faults (from the ledger) are marked on the lane of the worker whose request took them.
  const faults = history.flatMap((event) =>
    event.type === 'ledger' && event.worker !== null && event.worker > 0 && (event.faults?.length ?? 0) > 0
      ? [{ t: event.t, lane: event.worker }]
      : [],
  );
  const drawing: Drawing = { bars, overlaps: overlapSpans(holds), invalidGrants: marks('invalid_grant'), unauthorized: marks('api_unauthorized'), faults };
  const end = Math.max(1, ...history.map((event) => sec(event.t)));
  const count = Math.ceil(end / WINDOW_S);
  // A short run is one panel of its own length; a long one, equal windows (the last may be short).
  return Array.from({ length: count }, (_, index) => {
    const fromS = index * WINDOW_S;
    const toS = count === 1 ? Math.ceil(end * 10) / 10 : Math.min((index + 1) * WINDOW_S, Math.ceil(end * 10) / 10);
    return { fromS, toS, svg: renderWindow(render, drawing, workers, { fromMs: origin + fromS * 1000, toMs: origin + toS * 1000, sec }) };
  });
}

/** Everything drawn on a timeline, in journal time (ms). */
interface Drawing {
  bars: Bar[];
  overlaps: Array<{ start: number; end: number }>;
  invalidGrants: Mark[];
  unauthorized: Mark[];
  faults: Mark[];
}

interface Mark {
  t: number;
  lane: number;
}

interface Window {
  fromMs: number;
  toMs: number;
  sec: (t: number) => number;
}

function renderWindow(render: SvgChartRenderer, drawing: Drawing, workers: number, window: Window): string {
  const { sec } = window;
  // Bars are cut at the window's edges, so a hold that spans two panels is drawn in both.
  const clip = <T extends { start: number; end: number }>(items: readonly T[]) =>
    items
      .filter((item) => item.end >= window.fromMs && item.start <= window.toMs)
      .map((item) => ({ ...item, start: Math.max(item.start, window.fromMs), end: Math.min(item.end, window.toMs) }));
  const bars = clip(drawing.bars);
  const points = (marks: readonly Mark[]) =>
    marks.filter((mark) => mark.t >= window.fromMs && mark.t <= window.toMs).map((mark) => [sec(mark.t), laneName(mark.lane)]);
  const shaded = clip(drawing.overlaps).map((span): [{ xAxis: number }, { xAxis: number }] => [{ xAxis: sec(span.start) }, { xAxis: sec(span.end) }]);
  const lanes = Array.from({ length: workers }, (_, index) => laneName(index + 1));
  const isHold = (bar: Bar) => bar.color !== KIND_COLORS.wait && bar.color !== KIND_COLORS.post;

  const option: echarts.EChartsOption = {
    grid: { left: 48, right: 16, top: 30, bottom: 30 },
    legend: { top: 0, data: ['lock wait', 'lock hold', 'refresh POST', 'invalid_grant', 'API 401', 'endpoint fault'] },
    xAxis: { type: 'value', min: sec(window.fromMs), max: sec(window.toMs), name: 's', axisLabel: { formatter: '{value}s' } },
    // Every lane labelled: ECharts would otherwise skip labels it finds crowded.
    yAxis: { type: 'category', data: lanes, inverse: true, axisLabel: { fontSize: 9, interval: 0 } },
    series: [
      // Heights differ so a POST drawn inside its hold leaves the hold's colour visible.
      barSeries('lock wait', bars.filter((bar) => bar.color === KIND_COLORS.wait), sec, KIND_COLORS.wait, 0.5, overlapShading(shaded)),
      barSeries('lock hold', bars.filter(isHold), sec, LOCATION_COLORS[0]!, 0.85),
      barSeries('refresh POST', bars.filter((bar) => bar.color === KIND_COLORS.post), sec, KIND_COLORS.post, 0.35),
      { type: 'scatter', name: 'invalid_grant', data: points(drawing.invalidGrants), symbol: 'diamond', symbolSize: 9, itemStyle: { color: '#d62728' }, z: 5 },
      { type: 'scatter', name: 'API 401', data: points(drawing.unauthorized), symbol: 'triangle', symbolSize: 8, itemStyle: { color: '#ff7f0e' }, z: 5 },
      { type: 'scatter', name: 'endpoint fault', data: points(drawing.faults), symbol: 'rect', symbolSize: [3, 12], itemStyle: { color: '#444' }, z: 4 },
    ],
  };
  return render(option, PANEL_WIDTH_PX, workers * LANE_PX + 70);
}

function laneName(worker: number): string {
  return `w${worker}`;
}

function barSeries(
  name: string,
  bars: readonly Bar[],
  sec: (t: number) => number,
  legendColor: string,
  heightShare: number,
  markArea?: echarts.CustomSeriesOption['markArea'],
): echarts.CustomSeriesOption {
  return {
    type: 'custom',
    name,
    itemStyle: { color: legendColor },
    encode: { x: [1, 2], y: 0 },
    data: bars.map((bar) => ({ value: [laneName(bar.lane), sec(bar.start), sec(bar.end)], itemStyle: { color: bar.color } })),
    renderItem: (params, api) => {
      const from = api.coord([api.value(1), api.value(0)]);
      const to = api.coord([api.value(2), api.value(0)]);
      const height = (api.size?.([0, 1]) as number[])[1]! * heightShare;
      const color = bars[params.dataIndex]!.color;
      return { type: 'rect', shape: { x: from[0]!, y: from[1]! - height / 2, width: Math.max(1, to[0]! - from[0]!), height }, style: { fill: color } };
    },
    ...(markArea ? { markArea } : {}),
  };
}

/** Spans of time (journal ms) in which two or more workers held a lock, any location. */
function overlapSpans(holds: readonly Hold[]): Array<{ start: number; end: number }> {
  const edges = holds.flatMap((hold) => [
    { t: hold.start, delta: 1 },
    { t: hold.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.delta - b.delta);
  const found: Array<{ start: number; end: number }> = [];
  let holding = 0;
  let since = 0;
  for (const edge of edges) {
    const before = holding;
    holding += edge.delta;
    if (before < 2 && holding >= 2) since = edge.t;
    if (before >= 2 && holding < 2) found.push({ start: since, end: edge.t });
  }
  return found;
}

function overlapShading(areas: Array<[{ xAxis: number }, { xAxis: number }]>): echarts.CustomSeriesOption['markArea'] {
  return { silent: true, itemStyle: { color: 'rgba(214, 39, 40, 0.15)' }, data: areas };
}

/** Spans from one event type to the same worker's next event of one of the closing types. */
function spans(history: readonly JournalEvent[], opening: string, closing: readonly string[]): Array<{ lane: number; start: number; end: number }> {
  const open = new Map<number, number>();
  const found: Array<{ lane: number; start: number; end: number }> = [];
  for (const event of history) {
    if (!('worker' in event) || event.worker === null || event.type === 'ledger') continue;

    if (event.type === opening) open.set(event.worker, event.t);
    else if (closing.includes(event.type) && open.has(event.worker)) {
      found.push({ lane: event.worker, start: open.get(event.worker)!, end: event.t });
      open.delete(event.worker);
    }
  }
  return found;
}
