// The hotline's figures on the manager's dashboard (docs/telephony.md, "Hotline figures"): the headline
// figures for the period, a chart and table by hour, day, month or operator, the calls behind a figure, and
// CSV / Excel export of the table.
import { useEffect, useState } from "preact/hooks";

import { address, call, Reply } from "../client";
import { language, t } from "../i18n";
import { Chart, percent } from "./dashboard_chart";

type Report = Reply<"/api/v1/reports/hotline", "get">;
type Row = Report["rows"][number];
type Call = Reply<"/api/v1/reports/hotline/calls", "get">["items"][number];

const groupings = ["day", "hour", "month", "operator"] as const;
type Grouping = (typeof groupings)[number];
const drillable = ["offered", "answered", "abandoned", "not_returned"] as const;
type Measure = (typeof drillable)[number];

// "65" seconds as "1 分 05 秒" / "1 min 05 s".
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  const whole = Math.round(seconds);
  const zh = language.get() === "zh";
  if (whole < 60) return zh ? `${whole} 秒` : `${whole} s`;
  const rest = String(whole % 60).padStart(2, "0");
  return zh ? `${Math.floor(whole / 60)} 分 ${rest} 秒` : `${Math.floor(whole / 60)} min ${rest} s`;
}

// A call time from the API ("2026-12-02T09:15:04+08:00") as "2026-12-02 09:15:04".
function callTime(iso: string | null): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "—";
}

function rowLabel(row: Row, grouping: Grouping): string {
  if (grouping === "hour") return `${row.key}:00–${String(Number(row.key) + 1).padStart(2, "0")}:00`;
  if (grouping === "operator" && row.key === "") return t("not_answered");
  return row.label;
}

export function HotlineFigures({ period }: { period: string }) {
  const [grouping, setGrouping] = useState<Grouping>("day");
  const [report, setReport] = useState<Report | null>(null);
  const [drill, setDrill] = useState<{ title: string; calls: Call[] } | null>(null);
  const [error, setError] = useState("");
  const lang = language.get();
  const query = { ...Object.fromEntries(new URLSearchParams(period)), group_by: grouping };

  useEffect(() => {
    setError("");
    setDrill(null);
    call("get", "/api/v1/reports/hotline", { query })
      .then(setReport)
      .catch(() => setError(t("error")));
  }, [period, grouping]);

  const showCalls = async (row: Row, measure: Measure) => {
    try {
      const r = await call("get", "/api/v1/reports/hotline/calls", { query: { ...query, measure, key: row.key, limit: 100 } });
      setDrill({ title: `${rowLabel(row, grouping)}: ${t(`hotline_${measure}`)}`, calls: r.items });
    } catch {
      setError(t("error"));
    }
  };
  const count = (row: Row, measure: Measure) =>
    row[measure] > 0 ? (
      <button type="button" class="link" onClick={() => showCalls(row, measure)}>{row[measure]}</button>
    ) : row[measure];

  const headline: [string, string][] = report ? [
    [t("hotline_offered"), String(report.total.offered)],
    [t("hotline_answered"), String(report.total.answered)],
    [t("hotline_answer_rate"), percent(report.total.answer_rate)],
    [t("hotline_abandoned"), String(report.total.abandoned)],
    [t("hotline_abandoned_wait"), duration(report.total.abandoned_wait_seconds)],
    [t("hotline_wait"), duration(report.total.wait_seconds)],
    [t("hotline_talk"), duration(report.total.talk_seconds)],
    [t("hotline_returned_in_time_rate").replace("{minutes}", String(report.callback_within_minutes)),
     percent(report.total.returned_in_time_rate)],
  ] : [];

  return (
    <section aria-labelledby="hotline-title" class="card">
      <h2 id="hotline-title">{t("hotline_figures")}</h2>
      {error && <p role="alert">{error}</p>}
      {!report ? <p role="status">{t("loading")}</p> : (
        <>
          <dl class="figures">
            {headline.map(([name, value]) => (
              <div key={name}><dt>{name}</dt><dd>{value}</dd></div>
            ))}
          </dl>
          <div class="actions">
            <label for="hotline-grouping">{t("hotline_group_by")}</label>
            <select id="hotline-grouping" value={grouping} onChange={(e) => setGrouping(e.currentTarget.value as Grouping)}>
              {groupings.map((g) => <option key={g} value={g}>{t(`hotline_by_${g}`)}</option>)}
            </select>
            <a class="button" href={address("/api/v1/reports/hotline", {}, { ...query, format: "csv", lang })} download>{t("export_csv")}</a>
            <a class="button" href={address("/api/v1/reports/hotline", {}, { ...query, format: "xlsx", lang })} download>{t("export_xlsx")}</a>
          </div>
          {report.rows.length > 0 && (
            <Chart title={t("hotline_figures")}
                   description={report.rows.map((r) => `${rowLabel(r, grouping)} ${t("hotline_answered")} ${r.answered}，${t("hotline_abandoned")} ${r.abandoned}`).join("；")}
                   option={{
              xAxis: { type: "category", data: report.rows.map((r) => rowLabel(r, grouping)) },
              yAxis: { type: "value", minInterval: 1 },
              legend: {},
              series: [
                { type: "bar", name: t("hotline_answered"), stack: "calls", data: report.rows.map((r) => r.answered), color: "#175cd3" },
                { type: "bar", name: t("hotline_abandoned"), stack: "calls", data: report.rows.map((r) => r.abandoned), color: "#b42318" },
              ],
            }} />
          )}
          <div class="table-scroll" tabIndex={0} role="region" aria-label={t("hotline_table_caption")}>
            <table>
              <caption>{t("hotline_table_caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(`hotline_by_${grouping}`)}</th>
                  <th scope="col">{t("hotline_offered")}</th>
                  <th scope="col">{t("hotline_answered")}</th>
                  <th scope="col">{t("hotline_answer_rate")}</th>
                  <th scope="col">{t("hotline_abandoned")}</th>
                  <th scope="col">{t("hotline_abandoned_wait")}</th>
                  <th scope="col">{t("hotline_wait")}</th>
                  <th scope="col">{t("hotline_talk")}</th>
                  <th scope="col">{t("hotline_returned_in_time")}</th>
                  <th scope="col">{t("hotline_not_returned")}</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.length === 0 && (
                  <tr><td colSpan={10}>{t("hotline_no_calls")}</td></tr>
                )}
                {report.rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{rowLabel(r, grouping)}</th>
                    <td>{count(r, "offered")}</td>
                    <td>{count(r, "answered")}</td>
                    <td>{percent(r.answer_rate)}</td>
                    <td>{count(r, "abandoned")}</td>
                    <td>{duration(r.abandoned_wait_seconds)}</td>
                    <td>{duration(r.wait_seconds)}</td>
                    <td>{duration(r.talk_seconds)}</td>
                    <td>{r.returned_in_time}</td>
                    <td>{count(r, "not_returned")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {drill && (
            <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="hotline-drill-title">
              <table>
                <caption id="hotline-drill-title">{drill.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("missed_at")}</th>
                    <th scope="col">{t("caller_number")}</th>
                    <th scope="col">{t("hotline_operator")}</th>
                    <th scope="col">{t("waited")}</th>
                    <th scope="col">{t("hotline_talk_time")}</th>
                    <th scope="col">{t("called_back_at")}</th>
                  </tr>
                </thead>
                <tbody>
                  {drill.calls.map((c) => (
                    <tr key={c.call_id}>
                      <th scope="row">{callTime(c.started_at)}</th>
                      <td>{c.from === "anonymous" ? t("anonymous") : c.from}</td>
                      <td>{c.answered_by ?? "—"}</td>
                      <td>{duration(c.wait_seconds)}</td>
                      <td>{duration(c.talk_seconds)}</td>
                      <td>{callTime(c.called_back_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
