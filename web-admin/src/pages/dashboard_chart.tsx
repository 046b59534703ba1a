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

export function Chart({ option, title }: { option: echarts.EChartsCoreOption; title: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!);
    chart.setOption({ aria: { enabled: true }, tooltip: {}, ...option });
    const resize = () => chart.resize();
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={element} class="chart" role="img" aria-label={title} />;
}
