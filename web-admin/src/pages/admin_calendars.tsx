// The working calendars in force: hours, and for a chosen year the official rest days (holidays) and the
// make-up working days (调休上班), as deadlines count them. Next year's dates are a file an admin drops in
// the calendar directory (DATA_DIR/calendars) when the State Council publishes them.
import { useEffect, useState } from "preact/hooks";

import { api } from "../api";
import { language, t } from "../i18n";
import { useSignal } from "../signal";

interface Calendar {
  name: string;
  default: boolean;
  working_hours: string[];
  years: number[];
  rest_days: string[];
  working_days: string[];
  units: string[];
}

// Consecutive dates as ranges: ["2026-10-01", …, "2026-10-07"] → "2026-10-01 – 10-07".
function ranges(dates: string[]): string[] {
  const out: string[] = [];
  let first = "", last = "";
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const d of [...dates, ""]) {
    if (first && d === next(last)) {
      last = d;
      continue;
    }
    if (first) out.push(first === last ? first : `${first} – ${last.slice(5)}`);
    first = last = d;
  }
  return out;
}

export function Calendars() {
  useSignal(language);
  const [calendars, setCalendars] = useState<Calendar[]>([]);
  const [year, setYear] = useState(new Date().getFullYear());
  useEffect(() => {
    api<{ calendars: Calendar[] }>("GET", "/api/v1/calendars").then((r) => setCalendars(r.calendars));
  }, []);
  const years = [...new Set(calendars.flatMap((c) => c.years))].sort();
  if (years.length && !years.includes(year)) setYear(years[years.length - 1]);
  const inYear = (dates: string[]) => dates.filter((d) => d.startsWith(`${year}-`));
  return (
    <>
      <label for="calendar-year">{t("year")}</label>{" "}
      <select id="calendar-year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
        {years.map((y) => <option key={y} value={y}>{y}</option>)}
      </select>
      <p class="hint">{t("calendar_hint")}</p>
      {calendars.map((c) => (
        <article key={c.name} aria-labelledby={`calendar-${c.name}`}>
          <h3 id={`calendar-${c.name}`}>{c.name}{c.default && `（${t("default_calendar")}）`}</h3>
          <dl class="status">
            <dt>{t("working_hours_label")}</dt><dd>{c.working_hours.join("、") || "—"}</dd>
            <dt>{t("rest_days")}</dt><dd>{ranges(inYear(c.rest_days)).join("；") || t("weekends_only")}</dd>
            <dt>{t("makeup_days")}</dt><dd>{inYear(c.working_days).join("；") || "—"}</dd>
            <dt>{t("calendar_units")}</dt><dd>{[...c.units, ...(c.default ? [t("all_other_units")] : [])].join("、") || "—"}</dd>
          </dl>
        </article>
      ))}
    </>
  );
}
