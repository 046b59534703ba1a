// Times from the API are local (Asia/Shanghai, "2026-12-02T17:30:00+08:00"); shown as "2026-12-02 17:30".
// Deadlines end at 24:00, so midnight is shown as the end of the day before ("2026-12-02 24:00"), as
// receipts and notices write it.
export function localTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!match) return iso;
  const [, date, time] = match;
  if (time !== "00:00") return `${date} ${time}`;
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return `${day.toISOString().slice(0, 10)} 24:00`;
}

// The day a deadline falls on ("2026-12-17"; a midnight deadline is the day before, which it ends).
export function localDate(iso: string | null | undefined): string {
  return localTime(iso).slice(0, 10);
}
