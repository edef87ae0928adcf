import type * as echarts from 'echarts';
import type { LatencyMetric } from '../evidence/latency.js';
import type { SvgChartRenderer } from './svg-chart.js';

/**
 * One latency distribution, every layout side by side: counts of samples in roughly logarithmic
 * buckets (1-2-5 steps), so a 2 ms lock wait and a 2 s one both show.
 */
const EDGES_MS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const LAYOUT_COLORS: Record<string, string> = { legacy: '#d62728', shared: '#1f77b4' };

export function renderDistribution(
  render: SvgChartRenderer,
  metric: LatencyMetric,
  samples: Record<string, readonly number[]>,
): string {
  const labels = EDGES_MS.map((edge, index) => (index + 1 < EDGES_MS.length ? `${edge}–${EDGES_MS[index + 1]}` : `≥${edge}`));
  const option: echarts.EChartsOption = {
    title: { text: `${metric.replace('_', ' ')} (ms)`, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 64 },
    xAxis: { type: 'category', data: labels, name: 'ms', axisLabel: { fontSize: 9, interval: 0, rotate: 30 } },
    yAxis: { type: 'value', name: 'samples', minInterval: 1 },
    series: Object.entries(samples).map(([layout, values]) => ({
      type: 'bar',
      name: layout,
      data: bucket(values),
      itemStyle: { color: LAYOUT_COLORS[layout] ?? '#7f7f7f' },
    })),
  };
  return render(option, 520, 300);
}

function bucket(values: readonly number[]): number[] {
  const counts = EDGES_MS.map(() => 0);
  for (const value of values) {
    let index = EDGES_MS.length - 1;
    while (index > 0 && value < EDGES_MS[index]!) index -= 1;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}
