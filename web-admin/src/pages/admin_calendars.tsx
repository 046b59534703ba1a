// The working calendars in force: hours, and for a chosen year the official rest days (holidays) and the
// make-up working days (调休上班), as deadlines count them. An admin sets a year's dates here when the State
// Council publishes them (or drops a file in the calendar directory); running deadlines follow at once.
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "../client";
import { errorText } from "../errors";
import { localTime } from "../format";
import { language, t } from "../i18n";
import { useSignal } from "../signal";

type Calendar = Schema<"WorkingCalendar">;

// Consecutive dates as ranges: ["2026-10-01", …, "2026-10-07"] → [["2026-10-01", "2026-10-07"]].
function runs(dates: string[]): [string, string][] {
  const out: [string, string][] = [];
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const d of dates) {
    const last = out[out.length - 1];
    if (last && d === next(last[1])) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

const shown = (dates: string[]) => runs(dates).map(([a, b]) => (a === b ? a : `${a} – ${b.slice(5)}`));
// As the API takes them, one a line: "2026-10-01..2026-10-07".
const lines = (dates: string[]) => runs(dates).map(([a, b]) => (a === b ? a : `${a}..${b}`)).join("\n");
const items = (text: string) => text.split(/[\n,，；;]+/).map((s) => s.trim()).filter(Boolean);

function YearForm({ calendar, year, done }: { calendar: Calendar; year: number; done: (message: string) => void }) {
  const inYear = (dates: string[]) => dates.filter((d) => d.startsWith(`${year}-`));
  const [rest, setRest] = useState(lines(inYear(calendar.rest_days)));
  const [working, setWorking] = useState(lines(inYear(calendar.working_days)));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const id = `${calendar.name}-${year}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setError("");
    setBusy(true);
    try {
      const r = await call("put", "/api/v1/calendars/{calendar}/years/{year}", {
        path: { calendar: calendar.name, year }, body: { rest_days: items(rest), working_days: items(working) },
      });
      done(r.recomputed_petitions === null ? t("calendar_saved_recomputing")
                                           : t("calendar_saved").replace("{n}", String(r.recomputed_petitions)));
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <form onSubmit={save} aria-labelledby={`edit-${id}-title`} class="card">
      <h4 id={`edit-${id}-title`}>{t("edit_calendar_year").replace("{year}", String(year))}</h4>
      <p class="hint" id={`edit-${id}-hint`}>{t("calendar_lines_hint")}</p>
      <label for={`rest-${id}`}>{t("rest_days")}</label>
      <textarea id={`rest-${id}`} rows={8} value={rest} aria-describedby={`edit-${id}-hint`}
                onInput={(e) => setRest(e.currentTarget.value)} autoFocus />
      <label for={`working-${id}`}>{t("makeup_days")}</label>
      <textarea id={`working-${id}`} rows={4} value={working} aria-describedby={`edit-${id}-hint`}
                onInput={(e) => setWorking(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>{t("save")}</button>{" "}
      <button type="button" onClick={() => done("")}>{t("cancel")}</button>
      {busy && <p role="status">{t("calendar_recomputing")}</p>}
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

export function Calendars({ editable = false }: { editable?: boolean }) {
  useSignal(language);
  const [calendars, setCalendars] = useState<Calendar[]>([]);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [year, setYear] = useState(new Date().getFullYear());
  const [editing, setEditing] = useState("");
  const [message, setMessage] = useState("");
  const load = () => {
    call("get", "/api/v1/calendars").then((r) => {
      setCalendars(r.calendars);
      setWarnings(r.warnings);
    });
  };
  useEffect(load, []);
  // The years with dates, and the next one, so that next year's holidays can be set when published.
  const known = calendars.flatMap((c) => c.years);
  const years = [...new Set([...known, ...(known.length ? [Math.max(...known) + 1] : [])])].sort();
  if (known.length && !years.includes(year)) setYear(Math.max(...known));
  const inYear = (dates: string[]) => dates.filter((d) => d.startsWith(`${year}-`));
  const finished = (text: string) => {
    setEditing("");
    setMessage(text);
    load();
  };
  const lastYear = calendars.length ? Math.min(...calendars.map((c) => c.last_published_year)) : 0;
  return (
    <>
      {warnings.length > 0 && (
        <p class="warning" role="alert">
          {t("calendar_next_year_missing").replace("{year}", String(lastYear + 1))}
        </p>
      )}
      <label for="calendar-year">{t("year")}</label>{" "}
      <select id="calendar-year" value={year} onChange={(e) => { setYear(Number(e.currentTarget.value)); setEditing(""); }}>
        {years.map((y) => <option key={y} value={y}>{y}</option>)}
      </select>
      <p class="hint">{t("calendar_hint")}</p>
      {message && <p role="status">{message}</p>}
      {calendars.map((c) => {
        const edited = c.edited_years.find((e) => e.year === year);
        return (
          <article key={c.name} aria-labelledby={`calendar-${c.name}`}>
            <h3 id={`calendar-${c.name}`}>{c.name}{c.default && `（${t("default_calendar")}）`}</h3>
            <dl class="status">
              <dt>{t("working_hours_label")}</dt><dd>{c.working_hours.join("、") || "—"}</dd>
              <dt>{t("rest_days")}</dt><dd>{shown(inYear(c.rest_days)).join("；") || t("weekends_only")}</dd>
              <dt>{t("makeup_days")}</dt><dd>{inYear(c.working_days).join("；") || "—"}</dd>
              <dt>{t("calendar_units")}</dt><dd>{[...c.units, ...(c.default ? [t("all_other_units")] : [])].join("、") || "—"}</dd>
              {edited && [
                <dt key="t">{t("calendar_set_in_app")}</dt>,
                <dd key="d">{edited.changed_by}，{localTime(edited.changed_at)}</dd>,
              ]}
            </dl>
            {editable && editing !== c.name && (
              <button type="button" onClick={() => { setEditing(c.name); setMessage(""); }}>
                {t("edit_calendar_year").replace("{year}", String(year))}
              </button>
            )}
            {editable && editing === c.name && <YearForm key={`${c.name}-${year}`} calendar={c} year={year} done={finished} />}
          </article>
        );
      })}
    </>
  );
}
