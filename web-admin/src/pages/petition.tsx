// One petition for staff: its facts, deadline (working time left) and timeline, its attachments, and only
// the actions the workflow allows this user now. An action without fields is one button; one with fields
// opens its form (reason, days, outcome, satisfaction, unit…) with the cursor in it. Personal data is masked;
// "show" asks for a reason and is audited by the server.
import { useEffect, useRef, useState } from "preact/hooks";

import { upload } from "../api";
import { Body, call, Reply, Schema } from "../client";
import { ErrorSummary, errorText, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { timeLeftText } from "../deadline";
import { label, language, t, WordKey } from "../i18n";
import { localTime } from "../format";
import { printReceipt } from "../receipt";
import { useSignal } from "../signal";
import { Labelled, loadWorkflow, Workflow } from "../workflow";

type Action = Schema<"PetitionAction">;
type Petition = Schema<"Petition">;
type TimelineEvent = Schema<"TimelineEvent">;
type Attachment = Schema<"Attachment">;
type Unit = Pick<Schema<"Unit">, "code" | "name">;
type ActionBody = Body<"/api/v1/petitions/{petition_id}/actions/{transition}", "post">;

// An action on the petition as it was shown (its version).
const takeAction = (petition: Petition, name: string, body: ActionBody) =>
  call("post", "/api/v1/petitions/{petition_id}/actions/{transition}", {
    path: { petition_id: petition.id, transition: name }, body: { ...body, version: petition.version },
  });

const choices: Record<string, string[]> = {
  outcome: ["support", "explain", "not_supported"],
  satisfaction: ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"],
  type: ["consultation", "help", "suggestion", "complaint", "report", "formal", "legal_aid"],
  urgency: ["normal", "urgent", "emergency"],
};
const textFields = new Set(["reason", "reply", "comment", "contribution"]);
const numberFields = new Set(["days", "hours", "parent"]);
const unitListFields = new Set(["complained_units", "co_units"]);  // codes separated by commas or spaces

function word(key: string): string {
  return t(key as WordKey) || key;
}

// The id of a field's input (a choice's first option), which the error summary links to.
const inputId = (action: Action, field: string) =>
  choices[field] ? `${action.name}-${field}-${choices[field][0]}` : `${action.name}-${field}`;

function Field({ action, field, value, set, units, errors }: {
  action: Action; field: string; value: string; set: (v: string) => void; units: Unit[]; errors: FieldError[];
}) {
  const id = `${action.name}-${field}`;
  const required = action.requires.includes(field);
  const hinted = field === "unit" || field === "place" || unitListFields.has(field);
  const error = inlineError(errors, field, id, hinted ? `${id}-hint` : undefined);
  if (choices[field])
    return (
      <fieldset id={id} aria-describedby={error.props["aria-describedby"]}>
        <legend>{word(`field_${field}`)}</legend>
        {error.message}
        {choices[field].map((c) => (
          <label class="choice" key={c}>
            <input type="radio" id={`${id}-${c}`} name={id} value={c} required={required} checked={value === c} onChange={() => set(c)} />
            {word(`${field}_${c}`)}
          </label>
        ))}
      </fieldset>
    );
  return (
    <div>
      <label for={id}>{word(`field_${field}`)}{!required && ` (${t("optional")})`}</label>
      {(field === "unit" || field === "place") && <p class="hint" id={`${id}-hint`}>{t("unit_hint")}</p>}
      {unitListFields.has(field) && <p class="hint" id={`${id}-hint`}>{t("unit_list_hint")}</p>}
      {error.message}
      {textFields.has(field) ? (
        <textarea id={id} required={required} rows={field === "reply" ? 5 : 3} value={value} onInput={(e) => set(e.currentTarget.value)}
                  {...error.props} />
      ) : field === "unit" || field === "place" ? (
        <>
          <input id={id} required={required} list={`${id}-units`} autocomplete="off" value={value} onInput={(e) => set(e.currentTarget.value)}
                 {...error.props} />
          <datalist id={`${id}-units`}>
            {units.map((u) => <option key={u.code} value={u.code}>{u.name}</option>)}
          </datalist>
        </>
      ) : numberFields.has(field) ? (
        <input id={id} required={required} type="number" min={1} inputMode="numeric" value={value} onInput={(e) => set(e.currentTarget.value)}
               {...error.props} />
      ) : field === "date" ? (
        <input id={id} required={required} type="date" value={value} onInput={(e) => set(e.currentTarget.value)} {...error.props} />
      ) : (
        <input id={id} required={required} type="text" value={value} onInput={(e) => set(e.currentTarget.value)} {...error.props} />
      )}
    </div>
  );
}

function ActionForm({ petition, action, units, done }: { petition: Petition; action: Action; units: Unit[]; done: () => void }) {
  // Dispatching starts from where the routing table would send it.
  const suggested = action.requires.includes("unit") ? petition.suggested_unit?.code : undefined;
  const [values, setValues] = useState<Record<string, string>>(suggested ? { unit: suggested } : {});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const fields = [...action.requires, ...(action.accepts ?? []).filter((f) => !action.requires.includes(f)),
                  ...(action.requires.includes("comment") ? [] : ["comment"])];
  useEffect(() => {
    form.current?.querySelector<HTMLElement>("input, textarea, select")?.focus();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = missingFields(values, action.requires);
    setErrors(missing);
    if (missing.length > 0) return;
    setBusy(true);
    const body: Record<string, unknown> = {};
    for (const field of fields) {
      const value = values[field]?.trim();
      if (!value) continue;
      body[field] = numberFields.has(field) ? Number(value)
        : unitListFields.has(field) ? value.split(/[\s,，]+/).filter(Boolean) : value;
    }
    try {
      await takeAction(petition, action.name, body as ActionBody);
      done();
    } catch (err) {
      setErrors([fieldError(err)]);
      setBusy(false);
    }
  };
  return (
    <form class="action" ref={form} id={`form-${action.name}`} onSubmit={submit} aria-label={label(action.label)} noValidate>
      <ErrorSummary errors={errors} idOf={(f) => (fields.includes(f) ? inputId(action, f) : undefined)} />
      {action.name === "request_extension" && petition.deadline.time_left && (
        <p class="hint">{t("now")}: {timeLeftText(petition.deadline.time_left)}</p>
      )}
      {action.name === "callback" && <p class="hint">{t("satisfaction_hint")}</p>}
      {suggested && <p class="hint">{t("suggested_unit")}: {suggested}{petition.suggested_unit!.co.length > 0 && ` + ${petition.suggested_unit!.co.join("、")}`}</p>}
      {fields.map((field) => (
        <Field key={field} action={action} field={field} value={values[field] ?? ""} units={units} errors={errors}
               set={(v) => setValues({ ...values, [field]: v })} />
      ))}
      <button type="submit" disabled={busy}>{t("confirm")}{label(action.label)}</button>
    </form>
  );
}

const hasForm = (action: Action) => action.requires.length > 0 || (action.accepts ?? []).length > 0;

// Actions without fields take effect at once (sign for, accept…); the others open their form.
function Actions({ petition, reload }: { petition: Petition; reload: () => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [error, setError] = useState("");
  const needsUnits = petition.actions.some((a) => a.requires.includes("unit") || (a.accepts ?? []).includes("place"));
  useEffect(() => {
    if (needsUnits) call("get", "/api/v1/units").then((r) => setUnits(r.units)).catch(() => undefined);
  }, [needsUnits]);
  const act = async (action: Action) => {
    setError("");
    if (hasForm(action)) return setOpen(open === action.name ? null : action.name);
    try {
      await takeAction(petition, action.name, {});
      reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const opened = petition.actions.find((a) => a.name === open);
  return (
    <section aria-labelledby="actions-title" class="card">
      <h2 id="actions-title">{t("actions")}</h2>
      <div class="action-buttons">
        {petition.actions.map((a) => (
          <button key={a.name} type="button" class={hasForm(a) ? "secondary" : undefined} onClick={() => act(a)}
                  aria-expanded={hasForm(a) ? open === a.name : undefined}
                  aria-controls={hasForm(a) ? `form-${a.name}` : undefined}>
            {label(a.label)}
          </button>
        ))}
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {opened && <ActionForm key={opened.name + petition.version} petition={petition} action={opened} units={units} done={reload} />}
    </section>
  );
}

// What a timeline entry did, in words: the workflow's label for a transition, the system's own entries,
// and the fields given with it (reason, reply, outcome, days, unit, satisfaction).
function eventText(event: TimelineEvent, workflow: Workflow | null): string {
  const transition = workflow?.transitions.find((tr) => tr.name === event.action);
  if (transition) return label(transition.label);
  if (event.action === "escalation") {
    const actions = (event.fields.actions as [string, string][] | undefined) ?? [];
    const clock = workflow?.clocks.find((c) => c.name === event.fields.clock);
    const what = actions.map(([kind, target]) => word(`escalate_${kind}`) + (target ? `（${word(`target_${target}`)}）` : ""));
    return `${t("event_escalation")}${clock ? `（${label(clock.label)}）` : ""}: ${what.join("、")}`;
  }
  return word(`event_${event.action}`);
}

// A unit by name, with its code for those who work by codes.
const unitName = (code: string, units: Record<string, string>) => (units[code] ? `${units[code]}（${code}）` : code);

function EventFields({ fields, units }: { fields: Record<string, unknown>; units: Record<string, string> }) {
  const shown = ["outcome", "satisfaction", "days", "hours", "unit", "reason", "reply", "contribution", "type", "category",
                 "urgency", "place", "complained_units", "co_units", "body", "reference", "date", "comment",
                 "due_before", "due_at"]
    .filter((k) => fields[k] !== undefined && fields[k] !== null);
  if (shown.length === 0) return null;
  return (
    <dl class="event-fields">
      {shown.map((k) => {
        const raw = fields[k];
        const value = k.startsWith("due_") ? localTime(String(raw))
          : k === "unit" || k === "place" ? unitName(String(raw), units)
          : Array.isArray(raw) ? raw.map((code) => unitName(String(code), units)).join("、")
          : String(raw);
        return [<dt key={`${k}-t`}>{word(`field_${k}`)}</dt>, <dd key={`${k}-d`}>{choices[k] ? word(`${k}_${value}`) : value}</dd>];
      })}
    </dl>
  );
}

function Attachments({ petitionId }: { petitionId: number }) {
  const [items, setItems] = useState<Attachment[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const load = () => {
    call("get", "/api/v1/petitions/{petition_id}/attachments", { path: { petition_id: petitionId } })
      .then((r) => setItems(r.attachments)).catch(() => undefined);
  };
  useEffect(load, [petitionId]);
  const add = async (e: Event) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>("input[type=file]");
    const file = input?.files?.[0];
    if (!file) return;
    setError("");
    setBusy(true);
    try {
      await upload(`/api/v1/petitions/${petitionId}/attachments?name=${encodeURIComponent(file.name)}`, file);
      input!.value = "";
      load();
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby="attachments-title" class="card">
      <h2 id="attachments-title">{t("attachments")}</h2>
      {items.length === 0 ? <p>{t("no_attachments")}</p> : (
        <ul>
          {items.map((a) => (
            <li key={a.id}>
              <a href={a.url} download={a.file_name}>{a.file_name}</a> ({Math.ceil(a.size / 1024)} KB, {localTime(a.uploaded_at)})
              {a.previewable && a.content_type.startsWith("image/") && (
                <a class="preview" href={`${a.url}?inline=1`} target="_blank" rel="noopener">
                  <img src={`${a.url}?inline=1`} alt={`${t("preview_of")}${a.file_name}`} loading="lazy" />
                </a>
              )}
              {a.previewable && a.content_type === "application/pdf" && (
                <>{" "}<a href={`${a.url}?inline=1`} target="_blank" rel="noopener">{t("open_in_browser")}<span class="visually-hidden">：{a.file_name}</span></a></>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="inline" onSubmit={add}>
        <label for="attachment-file">{t("add_attachment")}</label>
        <input id="attachment-file" type="file" required accept=".pdf,.jpg,.jpeg,.png,.mp3,.wav,.amr,.docx,.txt" />
        <button type="submit" disabled={busy}>{t("upload")}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  );
}

export function PetitionPage({ id }: { id: string }) {
  useSignal(language);
  const [petition, setPetition] = useState<Petition | null>(null);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [units, setUnits] = useState<Record<string, string>>({});
  const [categories, setCategories] = useState<Record<string, Labelled>>({});
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [error, setError] = useState("");
  const [revealed, setRevealed] = useState<Reply<"/api/v1/petitions/{petition_id}/unmask", "post">["petitioner"] | null>(null);
  const [reason, setReason] = useState("");
  const load = () => {
    Promise.all([
      call("get", "/api/v1/petitions/{petition_id}", { path: { petition_id: Number(id) } }),
      call("get", "/api/v1/petitions/{petition_id}/events", { path: { petition_id: Number(id) } }),
    ])
      .then(([p, e]) => {
        setPetition(p);
        setEvents(e.events);
        setUnits(e.units);
      })
      .catch(() => setError(t("error")));
  };
  useEffect(load, [id]);
  useEffect(() => {
    loadWorkflow().then(setWorkflow).catch(() => undefined);
    call("get", "/api/v1/portal/categories")
      .then((r) => setCategories(Object.fromEntries(r.categories.map((c) => [c.code, c.label]))))
      .catch(() => undefined);
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!petition) return <p role="status">{t("loading")}</p>;
  const unmask = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await call("post", "/api/v1/petitions/{petition_id}/unmask", { path: { petition_id: Number(id) }, body: { reason } });
      setRevealed(r.petitioner);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const person = revealed ?? petition.petitioner;
  const { deadline } = petition;
  return (
    <>
      <h1>{petition.tracking_code} {petition.subject}</h1>
      <section aria-labelledby="facts-title" class="card">
        <h2 id="facts-title">{t("state")}: {label(petition.state_label)}</h2>
        <p>
          <button type="button" class="secondary" onClick={() => printReceipt(petition.id)}>{t("print_receipt")}</button>{" "}
          <a href={`/api/v1/petitions/${petition.id}/receipt`} target="_blank" rel="noopener">{t("view_receipt")}</a>
        </p>
        <dl class="status">
          <dt>{t("type")}</dt><dd>{word(`type_${petition.type}`)}</dd>
          <dt>{t("category")}</dt><dd>{label(categories[petition.category]) || petition.category}</dd>
          <dt>{t("field_channel")}</dt><dd>{word(`intake_channel_${petition.channel}`)}</dd>
          <dt>{t("urgency")}</dt><dd>{word(`urgency_${petition.urgency}`)}</dd>
          <dt>{t("received_at")}</dt><dd>{localTime(petition.received_at)}</dd>
          <dt>{t("intake_unit")}</dt><dd>{petition.intake_unit?.name ?? "—"}</dd>
          <dt>{t("unit")}</dt><dd>{petition.responsible_unit?.name ?? "—"}</dd>
          {petition.petitioner.unit && (<><dt>{t("place")}</dt><dd>{petition.petitioner.unit.name}</dd></>)}
          {petition.complaint && petition.complaint.units.length > 0 && (
            <><dt>{t("field_complained_units")}</dt><dd>{petition.complaint.units.map((c) => unitName(c, units)).join("、")}</dd></>
          )}
          <dt>{t("due")}</dt>
          <dd>
            {deadline.status && <span class={`badge badge-${deadline.status}`}>{word(`status_${deadline.status}`)}</span>}{" "}
            {deadline.time_left && <strong>{timeLeftText(deadline.time_left)}</strong>}{" "}
            {deadline.due_at ? `（${localTime(deadline.due_at)}）` : "—"}
            {deadline.provisional && ` ${t("provisional")}`}
          </dd>
          {petition.clocks.length > 0 && (
            <>
              <dt>{t("clocks")}</dt>
              <dd>
                <ul class="plain">
                  {petition.clocks.map((c) => (
                    <li key={c.name}>
                      {label(c.label) || c.name}: {localTime(c.deadline)}{c.paused && `（${t("paused")}）`}
                      {c.provisional && ` ${t("provisional")}`}
                      {c.extension > 0 && `（${t("extended_by")} ${c.extension}）`}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
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
      {petition.actions.length > 0 && <Actions petition={petition} reload={load} />}
      <Attachments petitionId={petition.id} />
      <section aria-labelledby="timeline-title" class="card">
        <h2 id="timeline-title">{t("timeline")}</h2>
        <ol class="timeline">
          {events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{localTime(e.at)}</time> {e.actor.name}: <strong>{eventText(e, workflow)}</strong>
              <EventFields fields={e.fields} units={units} />
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
