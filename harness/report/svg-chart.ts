import * as echarts from 'echarts';

/**
 * Renders one Apache ECharts option to a static SVG string with its server-side renderer, so
 * report.html carries finished drawings: no script, no network, opens from disk anywhere.
 */
export function renderSvgChart(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
