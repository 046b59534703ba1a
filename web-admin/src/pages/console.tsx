// The hotline operator's console: when the telephone system reports a call, the caller's history opens
// and the intake form is ready for the call; filing takes the keyboard only (Tab through, Enter files).
// A consultation is answered and closed on the call; the acknowledgement (受理回执) prints from here.
import { useEffect, useRef, useState } from "preact/hooks";

import { api, errorText } from "../api";
import { label, language, t } from "../i18n";
import { navigate } from "../router";
import { localTime } from "../format";
import { useSignal } from "../signal";

interface Summary {
  id: number;
  tracking_code: string;
  subject: string;
  state: string;
  received_at: string;
}
interface Call {
  call_id: string;
  from: string;
  history?: {
    petitioners: { id: number; name: string | null; phone: string | null }[];
    petitions: Summary[];
  };
}
interface Lists {
  categories: { code: string; label: { zh: string; en: string } }[];
  types: string[];
}

const empty = { type: "help", category: "", subject: "", content: "", name: "", phone: "", preferred_channel: "sms", reply: "" };

export function Console() {
  useSignal(language);
  const [call, setCall] = useState<Call | null>(null);
  const [lists, setLists] = useState<Lists | null>(null);
  const [form, setForm] = useState(empty);
  const [filed, setFiled] = useState<{ id: number; tracking_code: string } | null>(null);
  const [error, setError] = useState("");
  const [listening, setListening] = useState(false);
  const subject = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api<Lists>("GET", "/api/v1/portal/categories").then(setLists);
    const events = new EventSource("/api/v1/events");
    events.addEventListener("open", () => setListening(true));
    events.addEventListener("error", () => setListening(false));
    events.addEventListener("call", (e) => {
      const data = JSON.parse((e as MessageEvent).data) as Call;
      setCall(data);
      setFiled(null);
      setError("");
      setForm({ ...empty, name: data.history?.petitioners[0]?.name ?? "" });
    });
    return () => events.close();
  }, []);
  useEffect(() => {
    if (call) subject.current?.focus();
  }, [call]);

  const set = (field: keyof typeof empty) => (e: Event) =>
    setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const consultation = form.type === "consultation";
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const petitioner: Record<string, string> = { preferred_channel: form.preferred_channel };
      if (form.name) petitioner.name = form.name;
      if (!call && form.phone) petitioner.phone = form.phone;
      const created = await api<{ id: number; tracking_code: string; version: number }>("POST", "/api/v1/petitions", {
        channel: "hotline", type: form.type, category: form.category, subject: form.subject, content: form.content,
        petitioner, ...(call ? { call_id: call.call_id } : {}),
      });
      if (consultation)
        await api("POST", `/api/v1/petitions/${created.id}/actions/answer_on_call`, { version: created.version, reply: form.reply });
      setFiled(created);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const attach = async (petition: Summary) => {
    if (!call) return;
    await api("POST", `/api/v1/petitions/${petition.id}/calls`, { call_id: call.call_id });
    navigate(`/petitions/${petition.id}`);
  };

  return (
    <>
      <h1>{t("console")}</h1>
      <section aria-labelledby="call-title" class="card" aria-live="polite">
        <h2 id="call-title">{call ? `${t("incoming_call")} ${call.from}` : listening ? t("waiting_for_call") : t("connecting")}</h2>
        {call?.history && call.history.petitions.length > 0 && (
          <table>
            <caption>{t("caller_history")}</caption>
            <thead><tr><th scope="col">{t("tracking_code")}</th><th scope="col">{t("subject")}</th><th scope="col">{t("received_at")}</th><th scope="col"></th></tr></thead>
            <tbody>
              {call.history.petitions.map((p) => (
                <tr key={p.id}>
                  <td>{p.tracking_code}</td><td>{p.subject}</td><td>{localTime(p.received_at)}</td>
                  <td><button type="button" onClick={() => attach(p)}>{t("attach_call")}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="intake-title" class="card">
        <h2 id="intake-title">{t("intake")}</h2>
        {filed ? (
          <p role="status" class="success">
            {t("submitted")} <strong class="code">{filed.tracking_code}</strong>{" "}
            <a href={`/api/v1/petitions/${filed.id}/receipt`} target="_blank" rel="noopener">{t("print_receipt")}</a>{" "}
            <a href={`/petitions/${filed.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${filed.id}`); }}>{t("open")}</a>
          </p>
        ) : (
          <form onSubmit={submit}>
            <label for="intake-subject">{t("subject")} *</label>
            <input id="intake-subject" ref={subject} required value={form.subject} onInput={set("subject")} />
            <label for="intake-type">{t("type")} *</label>
            <select id="intake-type" value={form.type} onChange={set("type")}>
              {lists?.types.map((type) => <option key={type} value={type}>{t(`type_${type}` as never) || type}</option>)}
            </select>
            <label for="intake-category">{t("category")} *</label>
            <select id="intake-category" required value={form.category} onChange={set("category")}>
              <option value="">{t("choose")}</option>
              {lists?.categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
            </select>
            <label for="intake-content">{t("content")} *</label>
            <textarea id="intake-content" required rows={4} value={form.content} onInput={set("content")} />
            <label for="intake-name">{t("name")}</label>
            <input id="intake-name" value={form.name} onInput={set("name")} />
            {!call && (
              <>
                <label for="intake-phone">{t("phone")}</label>
                <input id="intake-phone" type="tel" value={form.phone} onInput={set("phone")} />
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
                <textarea id="intake-reply" required rows={3} value={form.reply} onInput={set("reply")} />
              </>
            )}
            {error && <p role="alert" class="error">{error}</p>}
            <button type="submit">{consultation ? t("answer_and_close") : t("file")}</button>
          </form>
        )}
      </section>
    </>
  );
}
