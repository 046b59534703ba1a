// The admin's pages: the units tree, users and their roles, categories and routing, working calendars,
// notifications that failed too often (resend), the workflow, and the message templates with a preview.
import { useEffect, useState } from "preact/hooks";

import { api, errorText } from "../api";
import { language, t, WordKey } from "../i18n";
import { localTime } from "../format";
import { useSignal } from "../signal";
import { Calendars } from "./admin_calendars";
import { RoutingTable } from "./admin_routing";
import { Unit, Units } from "./admin_units";
import { Users } from "./admin_users";
import { WorkflowGraph } from "./workflow_graph";

const deadPage = 50;
const sections = ["units", "users", "routing", "calendars", "dead", "workflow", "templates"] as const;
const sectionTitle: Record<(typeof sections)[number], WordKey> = {
  units: "units", users: "users", routing: "routing", calendars: "calendars", dead: "dead_letters", workflow: "workflow", templates: "templates",
};

interface DeadLetter {
  id: number;
  channel: string;
  address: string | null;
  topic: string;
  attempts: number;
  last_error: string;
  failed_at: string;
}

function Preview() {
  const [topic, setTopic] = useState("reminder");
  const [readers, setReaders] = useState("staff");
  const [result, setResult] = useState<{ subject: string; text: string } | null>(null);
  const [error, setError] = useState("");
  const [topics, setTopics] = useState<string[]>([]);
  useEffect(() => {
    api<{ topics: Record<string, unknown> }>("GET", "/api/v1/notifications/templates").then((r) => setTopics(Object.keys(r.topics)));
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      setResult(await api("POST", "/api/v1/notifications/preview", { topic, readers, language: language.get() }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit}>
      <label for="preview-topic">{t("topic")}</label>
      <select id="preview-topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
        {topics.map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
      <label for="preview-readers">{t("readers")}</label>
      <select id="preview-readers" value={readers} onChange={(e) => setReaders(e.currentTarget.value)}>
        <option value="petitioner">{t("petitioner")}</option>
        <option value="staff">{t("staff")}</option>
      </select>
      <button type="submit">{t("preview")}</button>
      {error && <p role="alert" class="error">{error}</p>}
      {result && (
        <div class="preview" aria-live="polite">
          <p><strong>{result.subject}</strong></p>
          <p>{result.text}</p>
        </div>
      )}
    </form>
  );
}

export function Admin() {
  useSignal(language);
  const [units, setUnits] = useState<Unit[]>([]);
  const loadUnits = () => {
    api<{ units: Unit[] }>("GET", "/api/v1/units?include_inactive=true").then((r) => setUnits(r.units));
  };
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const [pages, setPages] = useState<number[]>([]);  // the "before" cursor of each page shown so far
  const [next, setNext] = useState<number | null>(null);
  const loadDead = (before?: number) =>
    api<{ dead_letters: DeadLetter[]; next_before?: number }>(
      "GET", `/api/v1/notifications/dead-letters?limit=${deadPage}${before ? `&before=${before}` : ""}`,
    ).then((r) => {
      setDead(r.dead_letters);
      setNext(r.next_before ?? null);
    });
  const page = (cursors: number[]) => {
    setPages(cursors);
    loadDead(cursors[cursors.length - 1]);
  };
  useEffect(() => {
    loadUnits();
    loadDead();
  }, []);
  const resend = async (id: number) => {
    await api("POST", `/api/v1/notifications/dead-letters/${id}/resend`, {});
    loadDead(pages[pages.length - 1]);
  };
  return (
    <>
      <h1>{t("admin")}</h1>
      <nav aria-label={t("on_this_page")}>
        <ul class="index">
          {sections.map((id) => <li key={id}><a href={`#${id}-title`}>{t(sectionTitle[id])}</a></li>)}
        </ul>
      </nav>
      <section aria-labelledby="units-title" class="card">
        <h2 id="units-title">{t("units")}</h2>
        <Units units={units} reload={loadUnits} />
      </section>
      <section aria-labelledby="users-title" class="card">
        <h2 id="users-title">{t("users")}</h2>
        <Users units={units} />
      </section>
      <section aria-labelledby="routing-title" class="card">
        <h2 id="routing-title">{t("routing")}</h2>
        <RoutingTable editable />
      </section>
      <section aria-labelledby="calendars-title" class="card">
        <h2 id="calendars-title">{t("calendars")}</h2>
        <Calendars editable />
      </section>
      <section aria-labelledby="dead-title" class="card">
        <h2 id="dead-title">{t("dead_letters")}</h2>
        {dead.length === 0 ? <p>{t("none")}</p> : (
          <table>
            <thead><tr><th scope="col">{t("topic")}</th><th scope="col">{t("channel")}</th><th scope="col">{t("last_error")}</th><th scope="col">{t("failed_at")}</th><th scope="col"></th></tr></thead>
            <tbody>
              {dead.map((d) => (
                <tr key={d.id}>
                  <td>{d.topic}</td><td>{d.channel} {d.address ?? ""}</td><td>{d.last_error}</td><td>{localTime(d.failed_at)}</td>
                  <td><button type="button" onClick={() => resend(d.id)}>{t("resend")}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(pages.length > 0 || next) && (
          <nav class="pager" aria-label={t("dead_letters")}>
            <button type="button" class="secondary" disabled={pages.length === 0} onClick={() => page(pages.slice(0, -1))}>{t("newer")}</button>
            <button type="button" class="secondary" disabled={!next} onClick={() => next && page([...pages, next])}>{t("older")}</button>
          </nav>
        )}
      </section>
      <section aria-labelledby="workflow-title" class="card">
        <h2 id="workflow-title">{t("workflow")}</h2>
        <WorkflowGraph />
      </section>
      <section aria-labelledby="templates-title" class="card">
        <h2 id="templates-title">{t("templates")}</h2>
        <Preview />
      </section>
    </>
  );
}
