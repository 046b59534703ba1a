// A handler's orders, the soonest due first, with a green / amber / red badge and the time left.
import { useEffect, useState } from "preact/hooks";

import { api } from "../api";
import { TimeLeft, timeLeftText } from "../deadline";
import { navigate } from "../router";
import { language, t } from "../i18n";
import { localTime } from "../format";
import { useSignal } from "../signal";

interface Item {
  id: number;
  tracking_code: string;
  subject: string;
  state: string;
  due_at: string | null;
  time_left: TimeLeft | null;
  deadline_status: "ok" | "warning" | "overdue" | null;
  petitioner_name: string | null;
  responsible_unit: { code: string; name: string } | null;
  contact: { call_dont_text: boolean };
}

interface Page {
  items: Item[];
  total: number;
  total_exact: boolean;
  next: string | null;
}

const pageSize = 50;
type Due = "" | "overdue" | "warning";

// `mine`: a proxy's own cases (filed by them or granted to them), newest first, with their state.
export function Worklist({ mine = false }: { mine?: boolean }) {
  useSignal(language);
  const [items, setItems] = useState<Item[] | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [due, setDue] = useState<Due>("");
  const [error, setError] = useState("");
  const query = (after?: string) =>
    (mine ? "/api/v1/petitions?mine=true" : "/api/v1/petitions?sort=deadline") + `&limit=${pageSize}` +
    (due ? `&deadline=${due}` : "") + (after ? `&after=${encodeURIComponent(after)}` : "");
  const load = (after?: string) =>
    api<Page>("GET", query(after))
      .then((p) => {
        setPage(p);
        setItems((shown) => (after && shown ? [...shown, ...p.items] : p.items));
      })
      .catch(() => setError(t("error")));
  useEffect(() => { load(); }, [due]);
  if (error) return <p role="alert">{error}</p>;
  if (!items || !page) return <p role="status">{t("loading")}</p>;
  const filters: [Due, string][] = [["", t("all")], ["warning", t("status_warning")], ["overdue", t("status_overdue")]];
  const header = (
    <>
      <h1 id="worklist-title">{mine ? t("my_cases") : t("worklist")}</h1>
      <fieldset class="filters">
        <legend>{t("deadline")}</legend>
        {filters.map(([value, text]) => (
          <label key={value}>
            <input type="radio" name="worklist-due" value={value} checked={due === value} onChange={() => setDue(value)} /> {text}
          </label>
        ))}
      </fieldset>
      <p role="status" id="worklist-count">
        {t("worklist_count").replace("{shown}", String(items.length)).replace("{total}", `${page.total}${page.total_exact ? "" : "+"}`)}
      </p>
    </>
  );
  return (
    <section aria-labelledby="worklist-title">
      {header}
      {items.length === 0 ? (
        <p>{t("empty_worklist")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("tracking_code")}</th>
              <th scope="col">{t("subject")}</th>
              <th scope="col">{t("petitioner")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("unit")}</th>
              <th scope="col">{t("due")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  <a href={`/petitions/${item.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${item.id}`); }}>
                    {item.tracking_code}
                  </a>
                  {item.contact.call_dont_text && <span class="flag"> {t("call_dont_text")}</span>}
                </td>
                <td>{item.subject}</td>
                <td>{item.petitioner_name ?? "—"}</td>
                <td>{t(`state_${item.state}` as never) || item.state}</td>
                <td>{item.responsible_unit?.name ?? "—"}</td>
                <td>
                  {item.deadline_status && (
                    <span class={`badge badge-${item.deadline_status}`}>{t(`status_${item.deadline_status}`)}</span>
                  )}{" "}
                  {item.time_left ? <span title={localTime(item.due_at)}>{timeLeftText(item.time_left)}</span> : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.next && <button type="button" onClick={() => load(page.next!)}>{t("load_more")}</button>}
    </section>
  );
}
