// The hotline operator's console: a ringing call is offered here with the caller's history; it fills the
// intake form only when the form is empty, otherwise it waits beside it (a call never touches a form being
// typed). Filing takes the keyboard only (Tab through, Enter files). A consultation is answered and closed
// on the call; the acknowledgement (受理回执) prints from here. Missed calls wait in the callback list, and
// petitioners' text replies that need a person below it.
import { useEffect, useRef, useState } from "preact/hooks";

import { api } from "../api";
import { ErrorSummary, errorText, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { label, language, t } from "../i18n";
import { navigate } from "../router";
import { localTime } from "../format";
import { TimeLeft, timeLeftText } from "../deadline";
import { printReceipt } from "../receipt";
import { useSignal } from "../signal";
import { SmsReply, SmsReplyList } from "./console_sms";
import { connected, onEvent } from "../events";

interface Summary {
  id: number;
  tracking_code: string;
  subject: string;
  state: string;
  received_at: string;
  due_at: string | null;
  deadline_status: string | null;
  time_left: TimeLeft | null;
}
interface PastCall {
  call_id: string;
  direction: "in" | "out";
  started_at: string;
  answered_at: string | null;
  cause: string | null;
}
interface Call {
  call_id: string;
  direction: "in" | "out";
  citizen: string;
  history?: {
    petitioners: { id: number; name: string | null; phone: string | null; unit: { name: string } | null }[];
    petitions: Summary[];
    calls: PastCall[];
  };
  status: "ringing" | "answered" | "ended";
}
interface LoggedCall {
  call_id: string;
  from: string | null;
  started_at: string;
  wait_seconds: number | null;
  cause: string | null;
  voicemail: boolean;
}
interface Lists {
  categories: { code: string; label: { zh: string; en: string } }[];
  types: string[];
}

const empty = { type: "help", category: "", subject: "", content: "", name: "", phone: "", preferred_channel: "sms", reply: "" };
type Form = typeof empty;

// The intake form's fields by the API's names, and the ids of their inputs.
const intakeIds: Record<string, string> = {
  subject: "intake-subject", type: "intake-type", category: "intake-category", content: "intake-content",
  "petitioner.name": "intake-name", "petitioner.phone": "intake-phone", "petitioner.preferred_channel": "intake-channel",
  reply: "intake-reply",
};

function CallerCard({ call, onAttach }: { call: Call; onAttach: (p: Summary) => void }) {
  const petitions = call.history?.petitions ?? [];
  const person = call.history?.petitioners[0];
  // This call itself is in the history too: only the earlier ones are shown.
  const calls = (call.history?.calls ?? []).filter((c) => c.call_id !== call.call_id).slice(0, 5);
  return (
    <>
      <p>
        <strong class="code">{call.citizen}</strong>{" "}
        <span class="tag">{t(`call_${call.status}` as never)}</span>{" "}
        {call.direction === "out" && <span class="tag">{t("call_outbound")}</span>}
      </p>
      {person ? (
        <p>{t("known_caller")}：<strong>{person.name ?? t("name_unknown")}</strong>{person.unit && `（${person.unit.name}）`}</p>
      ) : (
        <p><strong>{t("new_caller")}</strong></p>
      )}
      {petitions.length > 0 && (
        <div class="table-scroll" role="region" aria-labelledby="caller-petitions" tabIndex={0}>
          <table>
            <caption id="caller-petitions">{t("caller_history")}</caption>
            <thead><tr><th scope="col">{t("tracking_code")}</th><th scope="col">{t("subject")}</th><th scope="col">{t("state")}</th><th scope="col">{t("due")}</th><th scope="col"></th></tr></thead>
            <tbody>
              {petitions.map((p) => (
                <tr key={p.id}>
                  <td class="code">{p.tracking_code}</td><td>{p.subject}</td><td>{t(`state_${p.state}` as never) || p.state}</td>
                  <td>
                    {p.deadline_status && <span class={`badge badge-${p.deadline_status}`}>{t(`status_${p.deadline_status}` as never)}</span>}{" "}
                    {p.time_left ? timeLeftText(p.time_left) : p.due_at ? localTime(p.due_at) : "—"}
                  </td>
                  <td><button type="button" onClick={() => onAttach(p)}>{t("attach_call")}<span class="visually-hidden">：{p.tracking_code}</span></button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {calls.length > 0 && (
        <>
          <h3 id="caller-calls">{t("earlier_calls")}</h3>
          <ul class="plain" aria-labelledby="caller-calls">
            {calls.map((c) => (
              <li key={c.call_id}>
                {localTime(c.started_at)} {c.direction === "out" ? t("call_outbound") : c.answered_at ? t("call_answered_past") : t("not_answered")}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function CallbackList({ calls, onDone }: { calls: LoggedCall[]; onDone: (id: string) => void }) {
  return (
    <section aria-labelledby="callback-title" class="card">
      <h2 id="callback-title">{t("callback_list")} ({calls.length})</h2>
      {calls.length === 0 ? (
        <p>{t("no_missed_calls")}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead><tr><th scope="col">{t("phone")}</th><th scope="col">{t("missed_at")}</th><th scope="col">{t("waited")}</th><th scope="col"></th></tr></thead>
            <tbody>
              {calls.map((c) => (
                <tr key={c.call_id}>
                  <td class="code">{c.from ?? t("anonymous")}</td>
                  <td>{localTime(c.started_at)}{c.voicemail ? ` (${t("voicemail")})` : ""}</td>
                  <td>{c.wait_seconds ?? 0} {t("seconds")}</td>
                  <td><button type="button" onClick={() => onDone(c.call_id)}>{t("mark_called_back")}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function Console({ me }: { me: number }) {
  useSignal(language);
  const listening = useSignal(connected);
  const [calls, setCalls] = useState<Call[]>([]);
  const [current, setCurrent] = useState<Call | null>(null);
  const [lists, setLists] = useState<Lists | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const [initial, setInitial] = useState<Form>(empty);
  const [filed, setFiled] = useState<{ id: number; tracking_code: string } | null>(null);
  const [error, setError] = useState("");
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [toReturn, setToReturn] = useState<LoggedCall[]>([]);
  const [smsReplies, setSmsReplies] = useState<SmsReply[]>([]);
  const subject = useRef<HTMLInputElement>(null);
  // What the event handlers (registered once) need to know of the page now.
  const dirty = JSON.stringify(form) !== JSON.stringify(initial) && !filed;
  const state = useRef({ current, dirty });
  state.current = { current, dirty };

  const take = (call: Call) => {
    setCurrent(call);
    setFiled(null);
    setError("");
    setErrors([]);
    // A known caller's name stays as recorded: the card shows it masked, and the form does not ask for it again.
    setForm(empty);
    setInitial(empty);
  };
  const loadCallbacks = () =>
    api<{ calls: LoggedCall[] }>("GET", "/api/v1/calls/to-return").then((r) => setToReturn(r.calls)).catch(() => undefined);
  const loadSmsReplies = () =>
    api<{ replies: SmsReply[] }>("GET", "/api/v1/sms/replies").then((r) => setSmsReplies(r.replies)).catch(() => undefined);

  useEffect(() => {
    api<Lists>("GET", "/api/v1/portal/categories").then(setLists);
    loadCallbacks();
    loadSmsReplies();
    const stops = [
      onEvent<Call>("call", (data) => {
        const call = { ...data, status: "ringing" as const };
        setCalls((all) => (all.some((c) => c.call_id === call.call_id) ? all : [...all, call]));
        if (!state.current.current && !state.current.dirty) take(call);
      }),
      onEvent<{ call_id: string; answered_by: number | null }>("call_answered", ({ call_id, answered_by }) => {
        const mine = answered_by === me || (answered_by === null && state.current.current?.call_id === call_id);
        // Answered by a colleague: it leaves this screen unless it is the call this form is for.
        setCalls((all) =>
          mine || state.current.current?.call_id === call_id
            ? all.map((c) => (c.call_id === call_id ? { ...c, status: "answered" } : c))
            : all.filter((c) => c.call_id !== call_id));
        setCurrent((c) => (c && c.call_id === call_id ? { ...c, status: "answered" } : c));
      }),
      onEvent<{ call_id: string }>("call_ended", ({ call_id }) => {
        setCalls((all) => all.filter((c) => c.call_id !== call_id || state.current.current?.call_id === call_id));
        setCurrent((c) => (c && c.call_id === call_id ? { ...c, status: "ended" } : c));
        loadCallbacks();
      }),
      onEvent("sms_reply", () => loadSmsReplies()),
    ];
    return () => stops.forEach((stop) => stop());
  }, [me]);
  useEffect(() => {
    if (current) subject.current?.focus();
  }, [current?.call_id]);

  const set = (field: keyof Form) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const consultation = form.type === "consultation";
  const clear = () => {
    setCalls((all) => all.filter((c) => c.call_id !== current?.call_id));
    setCurrent(null);
    setFiled(null);
    setError("");
    setErrors([]);
    setForm(empty);
    setInitial(empty);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = missingFields({ ...form }, ["subject", "category", "content", ...(consultation ? ["reply"] : [])]);
    setErrors(missing);
    if (missing.length > 0) return;
    try {
      const petitioner: Record<string, string> = { preferred_channel: form.preferred_channel };
      if (form.name) petitioner.name = form.name;
      if (!current && form.phone) petitioner.phone = form.phone;
      const created = await api<{ id: number; tracking_code: string; version: number }>("POST", "/api/v1/petitions", {
        channel: "hotline", type: form.type, category: form.category, subject: form.subject, content: form.content,
        petitioner, ...(current ? { call_id: current.call_id } : {}),
      });
      if (consultation)
        await api("POST", `/api/v1/petitions/${created.id}/actions/answer_on_call`, { version: created.version, reply: form.reply });
      setFiled(created);
    } catch (err) {
      setErrors([fieldError(err)]);
    }
  };
  const field = (name: string) => inlineError(errors, name, intakeIds[name]);
  const subjectError = field("subject"), categoryError = field("category"), contentError = field("content"),
    nameError = field("petitioner.name"), phoneError = field("petitioner.phone"), replyError = field("reply");
  const attach = async (petition: Summary) => {
    if (!current) return;
    await api("POST", `/api/v1/petitions/${petition.id}/calls`, { call_id: current.call_id });
    navigate(`/petitions/${petition.id}`);
  };
  const calledBack = async (callId: string) => {
    try {
      await api("POST", `/api/v1/calls/${encodeURIComponent(callId)}/called-back`);
    } catch (err) {
      setError(errorText(err));
    }
    loadCallbacks();
  };
  const smsHandled = async (id: number) => {
    try {
      await api("POST", `/api/v1/sms/replies/${id}/handled`);
    } catch (err) {
      setError(errorText(err));
    }
    loadSmsReplies();
  };
  const waiting = calls.filter((c) => c.call_id !== current?.call_id);

  return (
    <>
      <h1>{t("console")}</h1>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="console-grid">
        <section aria-labelledby="call-title" class="card" aria-live="polite">
          <h2 id="call-title">{current ? t("current_call") : listening ? t("waiting_for_call") : t("connecting")}</h2>
          {current && <CallerCard call={current} onAttach={attach} />}
          {waiting.length > 0 && (
            <>
              <h3>{t("calls_waiting")} ({waiting.length})</h3>
              <ul class="plain">
                {waiting.map((call) => (
                  <li key={call.call_id}>
                    <span class="code">{call.citizen}</span> <span class="tag">{t(`call_${call.status}` as never)}</span>{" "}
                    {(call.history?.petitions.length ?? 0) > 0 ? `${t("earlier_petitions")} ${call.history?.petitions.length}` : t("new_caller")}{" "}
                    <button type="button" disabled={dirty} aria-describedby={dirty ? "form-busy" : undefined} onClick={() => take(call)}>
                      {t("take_call")}
                    </button>
                  </li>
                ))}
              </ul>
              {dirty && <p id="form-busy" class="hint">{t("finish_form_first")}</p>}
            </>
          )}
        </section>
        <section aria-labelledby="intake-title" class="card">
          <h2 id="intake-title">{t("intake")}</h2>
          {filed ? (
            <>
              <p role="status" class="success">
                {t("submitted")} <strong class="code">{filed.tracking_code}</strong>{" "}
                <button type="button" onClick={() => printReceipt(filed.id)}>{t("print_receipt")}</button>{" "}
                <a href={`/api/v1/petitions/${filed.id}/receipt`} target="_blank" rel="noopener">{t("view_receipt")}</a>{" "}
                <a href={`/petitions/${filed.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${filed.id}`); }}>{t("open")}</a>
              </p>
              <button type="button" onClick={clear}>{t("next_intake")}</button>
            </>
          ) : (
            <form onSubmit={submit} noValidate>
              <ErrorSummary errors={errors} idOf={(f) => intakeIds[f]} />
              <label for="intake-subject">{t("subject")} *</label>
              {subjectError.message}
              <input id="intake-subject" ref={subject} required value={form.subject} onInput={set("subject")} {...subjectError.props} />
              <label for="intake-type">{t("type")} *</label>
              <select id="intake-type" value={form.type} onChange={set("type")}>
                {lists?.types.map((type) => <option key={type} value={type}>{t(`type_${type}` as never) || type}</option>)}
              </select>
              <label for="intake-category">{t("category")} *</label>
              {categoryError.message}
              <select id="intake-category" required value={form.category} onChange={set("category")} {...categoryError.props}>
                <option value="">{t("choose")}</option>
                {lists?.categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
              </select>
              <label for="intake-content">{t("content")} *</label>
              {contentError.message}
              <textarea id="intake-content" required rows={4} value={form.content} onInput={set("content")} {...contentError.props} />
              <label for="intake-name">{t("name")}</label>
              {nameError.message}
              <input id="intake-name" value={form.name} onInput={set("name")} {...nameError.props} />
              {!current && (
                <>
                  <label for="intake-phone">{t("phone")}</label>
                  {phoneError.message}
                  <input id="intake-phone" type="tel" value={form.phone} onInput={set("phone")} {...phoneError.props} />
                </>
              )}
              <label for="intake-channel">{t("preferred_channel")}</label>
              <select id="intake-channel" value={form.preferred_channel} onChange={set("preferred_channel")}>
                <option value="sms">{t("channel_sms")}</option>
                <option value="phone">{t("channel_phone")}</option>
                <option value="none">{t("channel_none")}</option>
              </select>
              {consultation && (
                <>
                  <label for="intake-reply">{t("field_reply")} *</label>
                  {replyError.message}
                  <textarea id="intake-reply" required rows={3} value={form.reply} onInput={set("reply")} {...replyError.props} />
                </>
              )}
              <div class="actions">
                <button type="submit">{consultation ? t("answer_and_close") : t("file")}</button>
                <button type="button" onClick={clear}>{t("clear_form")}</button>
              </div>
            </form>
          )}
        </section>
      </div>
      <CallbackList calls={toReturn} onDone={calledBack} />
      <SmsReplyList replies={smsReplies} onHandled={smsHandled} />
    </>
  );
}
