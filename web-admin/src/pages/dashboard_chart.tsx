// An ECharts chart for the dashboard, with its ARIA description on; the figures are also given as a table
// beside each chart, which is what a screen reader reads.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "preact/hooks";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export function percent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)}%`;
}

// `description` is what the chart says, in the reader's language ("按期办结率：宝场镇 98.1%，…"): ECharts' own
// generated description is English-only and garbled for Chinese labels. A click on a bar gives its index.
export function Chart({ option, title, description, onClick, height }: {
  option: echarts.EChartsCoreOption; title: string; description: string; onClick?: (index: number) => void; height?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!);
    chart.setOption({ aria: { enabled: true, label: { description: `${title}。${description}` } }, tooltip: {}, ...option });
    if (onClick) chart.on("click", (params) => onClick(params.dataIndex));
    // The chart follows its box (a window resized, a phone turned, the large-text mode), not only the window.
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [option, description]);
  return <div ref={element} class="chart" role="img" aria-label={`${title}。${description}`} style={height ? { height } : undefined} />;
}
