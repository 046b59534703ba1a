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

// `mine`: a proxy's own cases (filed by them or granted to them), newest first, with their state.
export function Worklist({ mine = false }: { mine?: boolean }) {
  useSignal(language);
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api<{ items: Item[] }>("GET", mine ? "/api/v1/petitions?mine=true&limit=100" : "/api/v1/petitions?sort=deadline&limit=100")
      .then((page) => setItems(page.items))
      .catch(() => setError(t("error")));
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!items) return <p role="status">{t("loading")}</p>;
  return (
    <section aria-labelledby="worklist-title">
      <h1 id="worklist-title">{mine ? t("my_cases") : t("worklist")}</h1>
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
    </section>
  );
}
