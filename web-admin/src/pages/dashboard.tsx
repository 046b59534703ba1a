// The manager's reports as charts: overdue now by unit, escalations between levels, units ranked (towns,
// villages or departments), on-time completion and satisfaction month by month — each with its figures as
// a table (what a screen reader reads) — and the hotline's figures, for a period picked by preset or by dates,
// with CSV / Excel export.
import { useEffect, useState } from "preact/hooks";

import { api } from "../api";
import { navigate } from "../router";
import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { Chart, percent } from "./dashboard_chart";
import { HotlineFigures } from "./dashboard_hotline";

const escalationKeys = ["reminded", "supervised", "escalated_to_town", "escalated_to_department", "escalated_to_district", "criticised"] as const;

interface Row {
  key: string;
  label: string;
  rank?: number;
  received: number;
  overdue_now: number;
  on_time_rate: number | null;
  reminded: number;
  supervised: number;
  escalated_to_town: number;
  escalated_to_department: number;
  escalated_to_district: number;
  criticised: number;
}
interface Drilled {
  at: string;
  petition: { id: number; tracking_code: string; subject: string; responsible_unit: { name: string } | null };
}
interface Point {
  period: string;
  received: number;
  on_time_rate: number | null;
  satisfaction_rate: number | null;
}

const rankLevels = ["town", "village", "department"] as const;

// The district's calendar day (UTC+8), whatever the browser's time zone: the reports count by it.
const districtDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
function isoDate(d: Date) {
  return districtDay.format(d);
}

// The first day of this month, quarter or year, or a year back, up to today (district days).
function presetFrom(preset: string, today: string): string {
  const [y, m] = today.split("-").map(Number);
  if (preset === "month") return `${today.slice(0, 7)}-01`;
  if (preset === "quarter") return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
  if (preset === "year") return `${y}-01-01`;
  return isoDate(new Date(Date.now() - 364 * 86_400_000));
}
const presets = ["month", "quarter", "year", "twelve_months"] as const;

export function Dashboard() {
  useSignal(language);
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 364 * 86_400_000);
  const [from, setFrom] = useState(isoDate(yearAgo));
  const [to, setTo] = useState(isoDate(today));
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState<Row | null>(null);
  const [ranking, setRanking] = useState<Row[]>([]);
  const [rankLevel, setRankLevel] = useState<(typeof rankLevels)[number]>("town");
  const [drill, setDrill] = useState<{ title: string; items: Drilled[] } | null>(null);
  const [points, setPoints] = useState<Point[] | null>(null);
  const [error, setError] = useState("");
  const period = `from=${from}&to=${to}`;

  useEffect(() => {
    setError("");
    Promise.all([
      api<{ rows: Row[]; total: Row }>("GET", `/api/v1/reports/summary?${period}`),
      api<{ points: Point[] }>("GET", `/api/v1/reports/trend?${period}&interval=month`),
    ])
      .then(([summary, trend]) => {
        setRows(summary.rows);
        setTotal(summary.total);
        setPoints(trend.points);
      })
      .catch(() => setError(t("error")));
  }, [period]);
  useEffect(() => {
    api<{ rows: Row[] }>("GET", `/api/v1/reports/summary?${period}&group_by=unit&level=${rankLevel}&sort=on_time_rate`)
      .then((ranked) => setRanking(ranked.rows))
      .catch(() => setError(t("error")));
  }, [period, rankLevel]);
  const choosePreset = (preset: string) => {
    const today = isoDate(new Date());
    setFrom(presetFrom(preset, today));
    setTo(today);
  };

  const lang = language.get();
  // The petitions behind a figure, for one unit's subtree.
  const showPetitions = async (row: Row, measure: string, title: string) => {
    const r = await api<{ items: Drilled[] }>("GET", `/api/v1/reports/petitions?${period}&measure=${measure}&unit=${encodeURIComponent(row.key)}&limit=50`);
    setDrill({ title: `${row.label}: ${title}`, items: r.items });
  };
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
          <div class="presets" role="group" aria-label={t("presets")}>
            {presets.map((p) => (
              <button key={p} type="button" class="secondary" aria-pressed={from === presetFrom(p, isoDate(new Date())) && to === isoDate(new Date())}
                      onClick={() => choosePreset(p)}>{t(`preset_${p}`)}</button>
            ))}
          </div>
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
                    <td>
                      {r.received > 0 ? (
                        <button type="button" class="link" onClick={() => showPetitions(r, "received", t("received"))}>{r.received}</button>
                      ) : r.received}
                    </td>
                    <td>
                      {r.overdue_now > 0 ? (
                        <button type="button" class="link" onClick={() => showPetitions(r, "overdue_now", t("status_overdue"))}>{r.overdue_now}</button>
                      ) : r.overdue_now}
                    </td>
                    <td>{percent(r.on_time_rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {drill && (
            <section aria-labelledby="drill-title" class="card">
              <h2 id="drill-title" tabIndex={-1}>{drill.title}</h2>
              <ul>
                {drill.items.map((d) => (
                  <li key={d.petition.id + d.at}>
                    <a href={`/petitions/${d.petition.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${d.petition.id}`); }}>
                      {d.petition.tracking_code}
                    </a>{" "}{d.petition.subject} — {d.petition.responsible_unit?.name ?? ""}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {total && (
            <section aria-labelledby="escalations-title" class="card">
              <h2 id="escalations-title">{t("escalations")}</h2>
              <Chart title={t("escalations")} option={{
                xAxis: { type: "category", data: [t("reminded"), t("supervised"), t("escalated_to_town"), t("escalated_to_department"), t("escalated_to_district"), t("criticised")] },
                yAxis: { type: "value", minInterval: 1 },
                series: [{ type: "bar", name: t("escalations"), color: "#93370d",
                           data: [total.reminded, total.supervised, total.escalated_to_town, total.escalated_to_department, total.escalated_to_district, total.criticised] }],
              }} />
              <table>
                <caption>{t("escalations")}</caption>
                <thead><tr>{escalationKeys.map((k) => <th scope="col" key={k}>{t(k)}</th>)}</tr></thead>
                <tbody><tr>{escalationKeys.map((k) => <td key={k}>{total[k]}</td>)}</tr></tbody>
              </table>
            </section>
          )}
          <section aria-labelledby="ranking-title" class="card">
            <h2 id="ranking-title">{t("ranking")}</h2>
            <label for="rank-level">{t("rank_level")}</label>{" "}
            <select id="rank-level" value={rankLevel} onChange={(e) => setRankLevel(e.currentTarget.value as (typeof rankLevels)[number])}>
              {rankLevels.map((l) => <option key={l} value={l}>{t(`level_${l}`)}</option>)}
            </select>
            <table>
              <caption>{t("ranking_caption")}</caption>
              <thead><tr><th scope="col">#</th><th scope="col">{t("unit")}</th><th scope="col">{t("on_time_rate")}</th><th scope="col">{t("status_overdue")}</th></tr></thead>
              <tbody>
                {ranking.map((r) => (
                  <tr key={r.key}>
                    <td>{r.rank ?? ""}</td><th scope="row">{r.label}</th>
                    <td>{percent(r.on_time_rate)}</td><td>{r.overdue_now}</td>
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
              legend: {},
              series: [
                { type: "line", name: t("on_time_rate"), data: points.map((p) => (p.on_time_rate === null ? null : +(p.on_time_rate * 100).toFixed(1))), color: "#175cd3" },
                { type: "line", name: t("satisfaction_rate"), data: points.map((p) => (p.satisfaction_rate === null ? null : +(p.satisfaction_rate * 100).toFixed(1))), color: "#067647" },
              ],
            }} />
            <table>
              <caption>{t("on_time_trend")}</caption>
              <thead><tr><th scope="col">{t("month")}</th><th scope="col">{t("received")}</th><th scope="col">{t("on_time_rate")}</th><th scope="col">{t("satisfaction_rate")}</th></tr></thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.period}><th scope="row">{p.period.slice(0, 7)}</th><td>{p.received}</td><td>{percent(p.on_time_rate)}</td><td>{percent(p.satisfaction_rate)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <HotlineFigures period={period} />
        </>
      )}
    </>
  );
}
