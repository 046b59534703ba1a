// The manager's reports, leading with the answer: the period's headline figures with their change against the
// period before; then the units that handle the orders (counted by the unit responsible, not the desk that
// registered them) as sorted top-N bars by any figure, whose bars and numbers drill down to the petitions;
// escalations between levels; on-time completion and satisfaction month by month; the hotline's figures. Each
// chart has its figures as a table (what a screen reader reads) and a description in the reader's language. The
// period, the ranking and the drill-down are kept in the address, so Back leaves a drill-down.
import { useEffect, useState } from "preact/hooks";

import { call, Reply, Schema } from "../client";
import { navigate, replaceQuery, search } from "../router";
import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { Chart, percent } from "./dashboard_chart";
import { HotlineFigures } from "./dashboard_hotline";

const escalationKeys = ["reminded", "supervised", "escalated_to_town", "escalated_to_department", "escalated_to_district", "criticised"] as const;

type Figures = Schema<"SummaryFigures">;
type Row = Reply<"/api/v1/reports/summary", "get">["rows"][number];
type Drilled = Reply<"/api/v1/reports/petitions", "get">["items"][number];
type Point = Reply<"/api/v1/reports/trend", "get">["points"][number];

const rankLevels = ["town", "village", "department"] as const;

// The figures a unit may be ranked by, each with the petitions that stand behind it when it is drilled into.
const rankFigures = [
  { name: "dispatched", word: "orders_received", rate: false, drill: "dispatched", better: "none" },
  { name: "overdue_now", word: "overdue_now", rate: false, drill: "overdue_now", better: "low" },
  { name: "on_time_rate", word: "on_time_rate", rate: true, drill: "replied_late", better: "high" },
  { name: "satisfaction_rate", word: "satisfaction_rate", rate: true, drill: "satisfaction", better: "high" },
  { name: "timely_sign_for_rate", word: "timely_sign_for_rate", rate: true, drill: "signed_late", better: "high" },
  { name: "return_rate", word: "return_rate", rate: true, drill: "returned", better: "low" },
  { name: "replied", word: "replied_count", rate: false, drill: "replied", better: "none" },
] as const;
const topN = 10;

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

// The period of the same length just before [from, to].
function previousPeriod(from: string, to: string): { from: string; to: string } {
  const day = 86_400_000;
  const start = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`);
  const length = Math.max(0, Math.round((end - start) / day));
  const previousTo = new Date(start - day), previousFrom = new Date(start - day * (length + 1));
  return { from: previousFrom.toISOString().slice(0, 10), to: previousTo.toISOString().slice(0, 10) };
}

function figureText(figure: { rate: boolean }, value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return figure.rate ? percent(value) : String(value);
}

const escalationTotal = (r: Figures) => escalationKeys.reduce((sum, k) => sum + (r[k] ?? 0), 0);

// One headline: the figure now, and how it moved since the period before ("较上期 +12", "+2.3 个百分点").
// `better`: which way is good news (none for volumes: more petitions is neither).
function Headline({ word, value, previous, rate, better, current }: {
  word: string; value: number | null; previous: number | null; rate: boolean; better: "high" | "low" | "none"; current?: boolean;
}) {
  let change = "";
  let direction: "better" | "worse" | "same" = "same";
  if (!current && value !== null && previous !== null) {
    const delta = rate ? (value - previous) * 100 : value - previous;
    const shown = rate ? delta.toFixed(1) : String(delta);
    change = rate ? t("change_points").replace("{n}", `${delta >= 0 ? "+" : ""}${shown}`) : `${delta >= 0 ? "+" : ""}${shown}`;
    if (better !== "none" && Math.abs(delta) >= (rate ? 0.05 : 1))
      direction = (delta > 0) === (better === "high") ? "better" : "worse";
  }
  return (
    <div class="headline">
      <dt>{t(word as never)}</dt>
      <dd>
        <strong>{figureText({ rate }, value)}</strong>
        <span class={`change change-${direction}`}>
          {current ? t("as_of_now") : change ? `${t("vs_previous")} ${change}` : t("no_previous")}
        </span>
      </dd>
    </div>
  );
}

function readQuery() {
  const q = new URLSearchParams(location.search);
  const today = isoDate(new Date());
  const level = rankLevels.find((l) => l === q.get("level")) ?? "town";
  const figure = rankFigures.find((f) => f.name === q.get("by")) ?? rankFigures[1];
  return {
    from: q.get("from") ?? presetFrom("twelve_months", today),
    to: q.get("to") ?? today,
    level,
    figure,
    ascending: q.get("order") === "asc",
    all: q.get("all") === "1",
    drillUnit: q.get("unit"),
    drillMeasure: q.get("measure"),
    drillLabel: q.get("label") ?? "",
  };
}

export function Dashboard() {
  useSignal(language);
  useSignal(search);
  const view = readQuery();
  const { from, to, level, figure, ascending } = view;
  const [total, setTotal] = useState<Figures | null>(null);
  const [previous, setPrevious] = useState<Figures | null>(null);
  const [ranking, setRanking] = useState<Row[] | null>(null);
  const [drilled, setDrilled] = useState<Drilled[] | null>(null);
  const [points, setPoints] = useState<Point[] | null>(null);
  const [error, setError] = useState("");
  const period = `from=${from}&to=${to}`;
  const before = previousPeriod(from, to);

  const setView = (changes: Record<string, string | null>) => {
    const q = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) q.delete(key);
      else q.set(key, value);
    }
    replaceQuery(q);
  };

  useEffect(() => {
    setTotal(null);
    setPoints(null);
    Promise.all([
      call("get", "/api/v1/reports/summary", { query: { from, to } }),
      call("get", "/api/v1/reports/summary", { query: before }),
      call("get", "/api/v1/reports/trend", { query: { from, to, interval: "month" } }),
    ])
      .then(([now, then, trend]) => {
        setTotal(now.total);
        setPrevious(then.total);
        setPoints(trend.points);
      })
      .catch(() => setError(t("error")));
  }, [period]);
  useEffect(() => {
    setRanking(null);
    call("get", "/api/v1/reports/summary", {
      query: { from, to, group_by: "unit", level, sort: figure.name, order: ascending ? "asc" : "desc" },
    })
      .then((ranked) => setRanking(ranked.rows))
      .catch(() => setError(t("error")));
  }, [period, level, figure.name, ascending]);
  useEffect(() => {
    setDrilled(null);
    if (!view.drillUnit || !view.drillMeasure) return;
    call("get", "/api/v1/reports/petitions", {
      query: { from, to, measure: view.drillMeasure, unit: view.drillUnit, limit: 50 },
    })
      .then((r) => {
        setDrilled(r.items);
        requestAnimationFrame(() => document.getElementById("drill-title")?.focus());
      })
      .catch(() => setError(t("error")));
  }, [period, view.drillUnit, view.drillMeasure]);

  const choosePreset = (preset: string) => {
    const today = isoDate(new Date());
    setView({ from: presetFrom(preset, today), to: today, unit: null, measure: null, label: null });
  };
  // A drill-down is a new entry in the history: Back closes it.
  const drill = (row: Row, measure: string, word: string) => {
    const q = new URLSearchParams(location.search);
    q.set("from", from);
    q.set("to", to);
    q.set("unit", row.key);
    q.set("measure", measure);
    q.set("label", `${row.label}：${word}`);
    navigate(`${location.pathname}?${q}`);
  };

  const lang = language.get();
  const shown = ranking ? (view.all ? ranking : ranking.slice(0, topN)) : [];
  const rankWord = t(figure.word as never);
  const barValue = (r: Row) => {
    const v = r[figure.name] as number | null;
    return v === null ? null : figure.rate ? +(v * 100).toFixed(1) : v;
  };
  const describe = (rows: Row[]) =>
    rows.map((r) => `${r.label} ${figureText(figure, r[figure.name] as number | null)}`).join("；");

  return (
    <>
      <h1>{t("dashboard")}</h1>
      <form class="period" onSubmit={(e) => e.preventDefault()}>
        <fieldset>
          <legend>{t("period")}</legend>
          <label for="from">{lang === "zh" ? "起" : "From"}</label>
          <input id="from" type="date" value={from} onChange={(e) => setView({ from: e.currentTarget.value })} />
          <label for="to">{lang === "zh" ? "止" : "To"}</label>
          <input id="to" type="date" value={to} onChange={(e) => setView({ to: e.currentTarget.value })} />
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
      <section aria-labelledby="headline-title" class="card">
        <h2 id="headline-title">{t("headline_title")}</h2>
        <p class="hint">{t("compared_with").replace("{from}", before.from).replace("{to}", before.to)}</p>
        {!total ? <p role="status">{t("loading")}</p> : (
          <dl class="headlines">
            <Headline word="received" value={total.received} previous={previous?.received ?? null} rate={false} better="none" />
            <Headline word="overdue_now" value={total.overdue_now} previous={null} rate={false} better="low" current />
            <Headline word="on_time_rate" value={total.on_time_rate} previous={previous?.on_time_rate ?? null} rate better="high" />
            <Headline word="satisfaction_rate" value={total.satisfaction_rate} previous={previous?.satisfaction_rate ?? null} rate better="high" />
            <Headline word="escalations_count" value={escalationTotal(total)} previous={previous ? escalationTotal(previous) : null} rate={false} better="low" />
          </dl>
        )}
      </section>

      <section aria-labelledby="units-title" class="card">
        <h2 id="units-title">{t("by_responsible_unit")}</h2>
        <p class="hint">{t("by_responsible_unit_hint")}</p>
        <div class="period">
          <div>
            <label for="rank-level">{t("rank_level")}</label>
            <select id="rank-level" value={level} onChange={(e) => setView({ level: e.currentTarget.value, all: null })}>
              {rankLevels.map((l) => <option key={l} value={l}>{t(`level_${l}`)}</option>)}
            </select>
          </div>
          <div>
            <label for="rank-by">{t("rank_by")}</label>
            <select id="rank-by" value={figure.name} onChange={(e) => setView({ by: e.currentTarget.value })}>
              {rankFigures.map((f) => <option key={f.name} value={f.name}>{t(f.word as never)}</option>)}
            </select>
          </div>
          <div>
            <label for="rank-order">{t("rank_order")}</label>
            <select id="rank-order" value={ascending ? "asc" : "desc"} onChange={(e) => setView({ order: e.currentTarget.value === "asc" ? "asc" : null })}>
              <option value="desc">{t("order_desc")}</option>
              <option value="asc">{t("order_asc")}</option>
            </select>
          </div>
        </div>
        {!ranking ? <p role="status">{t("loading")}</p> : (
          <>
            <Chart
              title={`${t(`level_${level}`)} · ${rankWord}${view.all ? "" : ` · ${t("top_n").replace("{n}", String(topN))}`}`}
              description={describe(shown)}
              height={`${Math.max(8, shown.length * 2.2 + 3)}rem`}
              onClick={(i) => shown[i] && drill(shown[i], figure.drill, rankWord)}
              option={{
                grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
                xAxis: { type: "value", ...(figure.rate ? { max: 100, axisLabel: { formatter: "{value}%" } } : { minInterval: 1 }) },
                yAxis: { type: "category", inverse: true, data: shown.map((r) => r.label) },
                series: [{ type: "bar", name: rankWord, data: shown.map(barValue), color: figure.better === "low" ? "#b42318" : "#175cd3",
                           label: { show: true, position: "right", formatter: figure.rate ? "{c}%" : "{c}" }, cursor: "pointer" }],
              }} />
            <div class="table-scroll" role="region" aria-labelledby="units-caption" tabIndex={0}>
              <table>
                <caption id="units-caption">{t("ranked_by").replace("{figure}", rankWord)}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th><th scope="col">{t("unit")}</th><th scope="col">{t("orders_received")}</th>
                    <th scope="col">{t("replied_count")}</th><th scope="col">{t("on_time_rate")}</th>
                    <th scope="col">{t("overdue_now")}</th><th scope="col">{t("satisfaction_rate")}</th>
                    {!["dispatched", "replied", "on_time_rate", "overdue_now", "satisfaction_rate"].includes(figure.name) && <th scope="col">{rankWord}</th>}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.key}>
                      <td>{r.rank ?? ""}</td>
                      <th scope="row">{r.label}</th>
                      <td><DrillNumber value={r.dispatched} onClick={() => drill(r, "dispatched", t("orders_received"))} /></td>
                      <td><DrillNumber value={r.replied} onClick={() => drill(r, "replied", t("replied_count"))} /></td>
                      <td>{percent(r.on_time_rate)}</td>
                      <td><DrillNumber value={r.overdue_now} onClick={() => drill(r, "overdue_now", t("overdue_now"))} /></td>
                      <td>{percent(r.satisfaction_rate)}</td>
                      {!["dispatched", "replied", "on_time_rate", "overdue_now", "satisfaction_rate"].includes(figure.name) &&
                        <td>{figureText(figure, r[figure.name] as number | null)}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {ranking.length > topN && (
              <button type="button" class="secondary" onClick={() => setView({ all: view.all ? null : "1" })}>
                {view.all ? t("show_top_n").replace("{n}", String(topN)) : t("show_all_units").replace("{n}", String(ranking.length))}
              </button>
            )}
          </>
        )}
      </section>

      {view.drillUnit && (
        <section aria-labelledby="drill-title" class="card">
          <h2 id="drill-title" tabIndex={-1}>{view.drillLabel}</h2>
          {!drilled ? <p role="status">{t("loading")}</p> : drilled.length === 0 ? <p>{t("nothing_found")}</p> : (
            <ul>
              {drilled.map((d) => (
                <li key={d.petition.id + d.at}>
                  <a href={`/petitions/${d.petition.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${d.petition.id}`); }}>
                    {d.petition.tracking_code}
                  </a>{" "}{d.petition.subject} — {d.petition.responsible_unit?.name ?? ""}
                </li>
              ))}
            </ul>
          )}
          <button type="button" class="secondary" onClick={() => setView({ unit: null, measure: null, label: null })}>{t("close_drill")}</button>
        </section>
      )}

      {total && (
        <section aria-labelledby="escalations-title" class="card">
          <h2 id="escalations-title">{t("escalations")}</h2>
          <Chart title={t("escalations")}
                 description={escalationKeys.map((k) => `${t(k)} ${total[k]}`).join("；")}
                 option={{
                   xAxis: { type: "category", data: escalationKeys.map((k) => t(k)) },
                   yAxis: { type: "value", minInterval: 1 },
                   series: [{ type: "bar", name: t("escalations"), color: "#93370d", data: escalationKeys.map((k) => total[k]) }],
                 }} />
          <table>
            <caption>{t("escalations")}</caption>
            <thead><tr>{escalationKeys.map((k) => <th scope="col" key={k}>{t(k)}</th>)}</tr></thead>
            <tbody><tr>{escalationKeys.map((k) => <td key={k}>{total[k]}</td>)}</tr></tbody>
          </table>
        </section>
      )}
      {points && (
        <section aria-labelledby="trend-title" class="card">
          <h2 id="trend-title">{t("on_time_trend")}</h2>
          <Chart title={t("on_time_trend")}
                 description={points.map((p) => `${p.period.slice(0, 7)} ${t("on_time_rate")} ${percent(p.on_time_rate)}，${t("satisfaction_rate")} ${percent(p.satisfaction_rate)}`).join("；")}
                 option={{
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
      )}
      <HotlineFigures period={period} />
    </>
  );
}

function DrillNumber({ value, onClick }: { value: number; onClick: () => void }) {
  return value > 0 ? <button type="button" class="link" onClick={onClick}>{value}</button> : <>{value}</>;
}
