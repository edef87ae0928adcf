import type * as echarts from 'echarts';

/**
 * Renders one Apache ECharts option to a static SVG string with its server-side renderer, so
 * report.html carries finished drawings: no script, no network, opens from disk anywhere.
 */
export type SvgChartRenderer = (option: echarts.EChartsOption, width: number, height: number) => string;

/**
 * ECharts is loaded only when a report is drawn: it takes about a second to import, and the CLI
 * must be quick to start (a SIGINT in its first seconds has to find the handlers installed).
 */
export async function loadSvgChartRenderer(): Promise<SvgChartRenderer> {
  const { init } = await import('echarts');
  return (option, width, height) => {
    const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
    try {
      chart.setOption({ animation: false, ...option });
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
}
