// The manager's reports as charts: overdue now by unit, and on-time completion month by month, each with
// its figures as a table (what a screen reader reads) and CSV / Excel export of the report.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { AriaComponent, GridComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef, useState } from "preact/hooks";

import { api } from "../api";
import { language, t } from "../i18n";
import { useSignal } from "../signal";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

interface Row {
  key: string;
  label: string;
  received: number;
  overdue_now: number;
  on_time_rate: number | null;
}
interface Point {
  period: string;
  received: number;
  on_time_rate: number | null;
}

// The district's calendar day (UTC+8), whatever the browser's time zone: the reports count by it.
const districtDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
function isoDate(d: Date) {
  return districtDay.format(d);
}

function Chart({ option, title }: { option: echarts.EChartsCoreOption; title: string }) {
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

export function Dashboard() {
  useSignal(language);
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 364 * 86_400_000);
  const [from, setFrom] = useState(isoDate(yearAgo));
  const [to, setTo] = useState(isoDate(today));
  const [rows, setRows] = useState<Row[] | null>(null);
  const [points, setPoints] = useState<Point[] | null>(null);
  const [error, setError] = useState("");
  const period = `from=${from}&to=${to}`;

  useEffect(() => {
    setError("");
    Promise.all([
      api<{ rows: Row[] }>("GET", `/api/v1/reports/summary?${period}`),
      api<{ points: Point[] }>("GET", `/api/v1/reports/trend?${period}&interval=month`),
    ])
      .then(([summary, trend]) => {
        setRows(summary.rows);
        setPoints(trend.points);
      })
      .catch(() => setError(t("error")));
  }, [period]);

  const lang = language.get();
  return (
    <>
      <h1>{t("dashboard")}</h1>
      <form class="period" onSubmit={(e) => e.preventDefault()}>
        <fieldset>
          <legend>{t("period")}</legend>
          <label for="from">{lang === "zh" ? "起" : "From"}</label>
          <input id="from" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <label for="to">{lang === "zh" ? "止" : "To"}</label>
          <input id="to" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </fieldset>
        <a class="button" href={`/api/v1/reports/summary?${period}&format=csv&lang=${lang}`} download>{t("export_csv")}</a>
        <a class="button" href={`/api/v1/reports/summary?${period}&format=xlsx&lang=${lang}`} download>{t("export_xlsx")}</a>
      </form>
      {error && <p role="alert">{error}</p>}
      {!rows || !points ? (
        <p role="status">{t("loading")}</p>
      ) : (
        <>
          <section aria-labelledby="overdue-title" class="card">
            <h2 id="overdue-title">{t("overdue_by_unit")}</h2>
            <Chart title={t("overdue_by_unit")} option={{
              xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { rotate: 30 } },
              yAxis: { type: "value", minInterval: 1 },
              series: [{ type: "bar", name: t("overdue_now"), data: rows.map((r) => r.overdue_now), color: "#b42318" }],
            }} />
            <table>
              <caption>{t("overdue_by_unit")}</caption>
              <thead><tr><th scope="col">{t("unit")}</th><th scope="col">{t("received")}</th><th scope="col">{t("status_overdue")}</th><th scope="col">{t("on_time_rate")}</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.label}</th>
                    <td>{r.received}</td>
                    <td>{r.overdue_now}</td>
                    <td>{r.on_time_rate === null ? "—" : `${(r.on_time_rate * 100).toFixed(1)}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="trend-title" class="card">
            <h2 id="trend-title">{t("on_time_trend")}</h2>
            <Chart title={t("on_time_trend")} option={{
              xAxis: { type: "category", data: points.map((p) => p.period.slice(0, 7)) },
              yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
              series: [{ type: "line", name: t("on_time_rate"), data: points.map((p) => (p.on_time_rate === null ? null : +(p.on_time_rate * 100).toFixed(1))), color: "#175cd3" }],
            }} />
          </section>
        </>
      )}
    </>
  );
}
