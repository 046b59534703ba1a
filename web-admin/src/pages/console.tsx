// The hotline operator's console: a ringing call is offered here with the caller's history; it fills the
// intake form only when the form is empty, otherwise it waits beside it (a call never touches a form being
// typed). Filing takes the keyboard only (Tab through, Enter files). A consultation is answered and closed
// on the call; the acknowledgement (受理回执) prints from here. Missed calls wait in the callback list, and
// petitioners' text replies that need a person below it.
import { useEffect, useRef, useState } from "preact/hooks";

import * as client from "../client";
import { ErrorSummary, errorText, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { language, t } from "../i18n";
import { UploadReport, UploadResult } from "../intake/attachment_picker";
import { IntakeFields, IntakeLists, loadIntakeLists } from "../intake/fields";
import { Filed, filePetition } from "../intake/file_petition";
import { emptyIntake, identityProblems, IntakeForm, intakeBody, intakeIds, intakeProblems } from "../intake/form";
import { navigate } from "../router";
import { localTime } from "../format";
import { timeLeftText } from "../deadline";
import { printReceipt } from "../receipt";
import { useSignal } from "../signal";
import { SmsReply, SmsReplyList } from "./console_sms";
import { connected, onEvent } from "../events";

type History = client.Schema<"CallerHistory">;
type Summary = History["petitions"][number];
// A call as the event stream pushes it, with the caller's history.
interface Call {
  call_id: string;
  direction: "in" | "out";
  citizen: string;
  history?: History;
  status: "ringing" | "answered" | "ended";
}
type LoggedCall = client.Schema<"Call">;
// The intake form's inputs are "intake-subject", "intake-place-town", …
const intakePrefix = "intake";
const idOf = intakeIds(intakePrefix);

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
  const [lists, setLists] = useState<IntakeLists | null>(null);
  const [form, setForm] = useState<IntakeForm>(emptyIntake);
  const [reply, setReply] = useState("");
  const [filed, setFiled] = useState<Filed | null>(null);
  const [uploads, setUploads] = useState<UploadResult[]>([]);
  const [error, setError] = useState("");
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [toReturn, setToReturn] = useState<LoggedCall[]>([]);
  const [smsReplies, setSmsReplies] = useState<SmsReply[]>([]);
  const subject = useRef<HTMLInputElement>(null);
  // What the event handlers (registered once) need to know of the page now.
  const dirty = (JSON.stringify(form) !== JSON.stringify(emptyIntake) || form.files.length > 0 || reply !== "") && !filed;
  const state = useRef({ current, dirty });
  state.current = { current, dirty };

  const take = (call: Call) => {
    setCurrent(call);
    setFiled(null);
    setError("");
    setErrors([]);
    // A known caller's name stays as recorded: the card shows it masked, and the form does not ask for it again.
    setForm(emptyIntake);
    setReply("");
    setUploads([]);
  };
  const loadCallbacks = () =>
    client.call("get", "/api/v1/calls/to-return").then((r) => setToReturn(r.calls)).catch(() => undefined);
  const loadSmsReplies = () =>
    client.call("get", "/api/v1/sms/replies").then((r) => setSmsReplies(r.replies)).catch(() => undefined);

  useEffect(() => {
    loadIntakeLists().then(setLists);
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

  const consultation = form.type === "consultation";
  const clear = () => {
    setCalls((all) => all.filter((c) => c.call_id !== current?.call_id));
    setCurrent(null);
    setFiled(null);
    setError("");
    setErrors([]);
    setForm(emptyIntake);
    setReply("");
    setUploads([]);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems = [...intakeProblems(form, "hotline"), ...(consultation ? missingFields({ reply }, ["reply"]) : [])];
    setErrors(problems);
    if (problems.length > 0) return;
    try {
      const body = intakeBody(form, "hotline");
      if (current) {
        delete (body.petitioner as Record<string, unknown>).phone;  // the call's number is the phone
        body.call_id = current.call_id;
      }
      const { filed: created, uploads: sent } = await filePetition(body, form.files);
      if (consultation)
        await client.call("post", "/api/v1/petitions/{petition_id}/actions/{transition}", {
          path: { petition_id: created.id, transition: "answer_on_call" }, body: { version: created.version, reply },
        });
      setUploads(sent);
      setFiled(created);
    } catch (err) {
      setErrors([fieldError(err)]);
    }
  };
  const live = filed ? [] : identityProblems(form).filter((p) => !errors.some((e) => e.field === p.field));
  const replyError = inlineError(errors, "reply", idOf("reply") ?? "intake-reply");
  const attach = async (petition: Summary) => {
    if (!current) return;
    await client.call("post", "/api/v1/petitions/{petition_id}/calls", { path: { petition_id: petition.id }, body: { call_id: current.call_id } });
    navigate(`/petitions/${petition.id}`);
  };
  const calledBack = async (callId: string) => {
    try {
      await client.call("post", "/api/v1/calls/{call_id}/called-back", { path: { call_id: callId } });
    } catch (err) {
      setError(errorText(err));
    }
    loadCallbacks();
  };
  const smsHandled = async (id: number) => {
    try {
      await client.call("post", "/api/v1/sms/replies/{reply_id}/handled", { path: { reply_id: id } });
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
              <UploadReport results={uploads} />
              <button type="button" onClick={clear}>{t("next_intake")}</button>
            </>
          ) : (
            <form onSubmit={submit} noValidate>
              <ErrorSummary errors={errors} idOf={idOf} />
              <IntakeFields prefix={intakePrefix} form={form} setForm={setForm} errors={[...errors, ...live]} channel="hotline"
                            lists={lists} askPhone={!current} subjectRef={subject} />
              {consultation && (
                <>
                  <label for="intake-reply">{t("field_reply")} *</label>
                  {replyError.message}
                  <textarea id="intake-reply" required rows={3} value={reply} onInput={(e) => setReply(e.currentTarget.value)} {...replyError.props} />
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
