// The admin's pages: the units tree, users and their roles, notifications that failed too often (resend),
// and the message templates with a preview.
import { useEffect, useState } from "preact/hooks";

import { api, ApiError } from "../api";
import { language, t } from "../i18n";
import { localTime } from "../format";
import { useSignal } from "../signal";
import { WorkflowGraph } from "./workflow_graph";

interface Unit {
  code: string;
  name: string;
  kind: string;
  parent: string | null;
  active: boolean;
}
interface UserRow {
  id: number;
  login: string;
  display_name: string;
  unit: { code: string; name: string };
  roles: string[];
  active: boolean;
}
interface DeadLetter {
  id: number;
  channel: string;
  address: string | null;
  topic: string;
  attempts: number;
  last_error: string;
  failed_at: string;
}

function UnitTree({ units, parent }: { units: Unit[]; parent: string | null }) {
  const children = units.filter((u) => u.parent === parent);
  if (children.length === 0) return null;
  return (
    <ul class="tree">
      {children.map((u) => (
        <li key={u.code}>
          <span>{u.name}</span> <code>{u.code}</code>{!u.active && ` (${t("inactive")})`}
          <UnitTree units={units} parent={u.code} />
        </li>
      ))}
    </ul>
  );
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
      setError(err instanceof ApiError ? err.message : t("error"));
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
  const [users, setUsers] = useState<UserRow[]>([]);
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const loadDead = () => api<{ dead_letters: DeadLetter[] }>("GET", "/api/v1/notifications/dead-letters").then((r) => setDead(r.dead_letters));
  useEffect(() => {
    api<{ units: Unit[] }>("GET", "/api/v1/units").then((r) => setUnits(r.units));
    api<{ users: UserRow[] }>("GET", "/api/v1/users").then((r) => setUsers(r.users));
    loadDead();
  }, []);
  const resend = async (id: number) => {
    await api("POST", `/api/v1/notifications/dead-letters/${id}/resend`, {});
    loadDead();
  };
  return (
    <>
      <h1>{t("admin")}</h1>
      <section aria-labelledby="units-title" class="card">
        <h2 id="units-title">{t("units")}</h2>
        <UnitTree units={units} parent={null} />
      </section>
      <section aria-labelledby="users-title" class="card">
        <h2 id="users-title">{t("users")}</h2>
        <table>
          <thead><tr><th scope="col">{t("login_name")}</th><th scope="col">{t("name")}</th><th scope="col">{t("unit")}</th><th scope="col">{t("roles")}</th></tr></thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}><td>{u.login}</td><td>{u.display_name}</td><td>{u.unit.name}</td><td>{u.roles.map((r) => t(`role_${r}` as never) || r).join("、")}</td></tr>
            ))}
          </tbody>
        </table>
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
