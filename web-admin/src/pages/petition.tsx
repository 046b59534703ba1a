// One petition for staff: its facts, deadline and timeline, and only the actions the workflow allows this
// user now, each asking for the fields it needs. Personal data is masked; "show" asks for a reason and is
// audited by the server.
import { useEffect, useState } from "preact/hooks";

import { api, ApiError } from "../api";
import { label, language, t } from "../i18n";
import { useSignal } from "../signal";

type Labelled = { zh: string; en: string };
interface Action {
  name: string;
  label: Labelled;
  requires: string[];
}
interface Petition {
  id: number;
  version: number;
  tracking_code: string;
  subject: string;
  content: string;
  state_label: Labelled;
  deadline: { due_at: string | null; status: string | null };
  petitioner: { name: string | null; phone: string | null; id_number: string | null; contact: { call_dont_text: boolean } };
  responsible_unit: { code: string; name: string } | null;
  actions: Action[];
}
interface TimelineEvent {
  id: number;
  at: string;
  actor: { name: string };
  action: string;
  to_state: string | null;
  fields: Record<string, unknown>;
}

const choices: Record<string, string[]> = {
  outcome: ["support", "explain", "not_supported"],
  satisfaction: ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"],
};

function ActionForm({ petition, action, done }: { petition: Petition; action: Action; done: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    const body: Record<string, unknown> = { version: petition.version };
    for (const field of action.requires) body[field] = field === "days" ? Number(values[field]) : values[field];
    try {
      await api("POST", `/api/v1/petitions/${petition.id}/actions/${action.name}`, body);
      done();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("error"));
    }
  };
  const id = (field: string) => `${action.name}-${field}`;
  return (
    <form class="action" onSubmit={submit} aria-label={label(action.label)}>
      {action.requires.map((field) => (
        <div key={field}>
          <label for={id(field)}>{t(`field_${field}` as never) || field}</label>
          {choices[field] ? (
            <select id={id(field)} required value={values[field] ?? ""} onChange={(e) => setValues({ ...values, [field]: e.currentTarget.value })}>
              <option value="">{t("choose")}</option>
              {choices[field].map((c) => <option key={c} value={c}>{t(`${field}_${c}` as never)}</option>)}
            </select>
          ) : field === "reason" || field === "reply" ? (
            <textarea id={id(field)} required rows={3} value={values[field] ?? ""} onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })} />
          ) : (
            <input id={id(field)} required type={field === "days" ? "number" : "text"} value={values[field] ?? ""}
                   onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })} />
          )}
        </div>
      ))}
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit">{label(action.label)}</button>
    </form>
  );
}

export function PetitionPage({ id }: { id: string }) {
  useSignal(language);
  const [petition, setPetition] = useState<Petition | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [error, setError] = useState("");
  const [revealed, setRevealed] = useState<Record<string, string | null> | null>(null);
  const [reason, setReason] = useState("");
  const load = () => {
    Promise.all([
      api<Petition>("GET", `/api/v1/petitions/${id}`),
      api<{ events: TimelineEvent[] }>("GET", `/api/v1/petitions/${id}/events`),
    ])
      .then(([p, e]) => {
        setPetition(p);
        setEvents(e.events);
      })
      .catch(() => setError(t("error")));
  };
  useEffect(load, [id]);
  if (error) return <p role="alert">{error}</p>;
  if (!petition) return <p role="status">{t("loading")}</p>;
  const unmask = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ petitioner: Record<string, string | null> }>("POST", `/api/v1/petitions/${id}/unmask`, { reason });
      setRevealed(r.petitioner);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("error"));
    }
  };
  const person = revealed ?? petition.petitioner;
  return (
    <>
      <h1>{petition.tracking_code} {petition.subject}</h1>
      <section aria-labelledby="facts-title" class="card">
        <h2 id="facts-title">{t("state")}: {label(petition.state_label)}</h2>
        <dl class="status">
          <dt>{t("unit")}</dt><dd>{petition.responsible_unit?.name ?? "—"}</dd>
          <dt>{t("due")}</dt>
          <dd>
            {petition.deadline.status && <span class={`badge badge-${petition.deadline.status}`}>{t(`status_${petition.deadline.status}` as never)}</span>}{" "}
            {petition.deadline.due_at ?? "—"}
          </dd>
          <dt>{t("petitioner")}</dt>
          <dd>
            {person.name ?? "—"} {person.phone ?? ""} {person.id_number ?? ""}
            {petition.petitioner.contact.call_dont_text && <strong> {t("call_dont_text")}</strong>}
          </dd>
          <dt>{t("content")}</dt><dd>{petition.content}</dd>
        </dl>
        {!revealed && (
          <form class="inline" onSubmit={unmask}>
            <label for="unmask-reason">{t("unmask_reason")}</label>
            <input id="unmask-reason" required minLength={4} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <button type="submit">{t("unmask")}</button>
          </form>
        )}
      </section>
      {petition.actions.length > 0 && (
        <section aria-labelledby="actions-title" class="card">
          <h2 id="actions-title">{t("actions")}</h2>
          {petition.actions.map((a) => <ActionForm key={a.name + petition.version} petition={petition} action={a} done={load} />)}
        </section>
      )}
      <section aria-labelledby="timeline-title" class="card">
        <h2 id="timeline-title">{t("timeline")}</h2>
        <ol class="timeline">
          {events.map((e) => (
            <li key={e.id}><time>{e.at}</time> {e.actor.name}: {e.action}</li>
          ))}
        </ol>
      </section>
    </>
  );
}
