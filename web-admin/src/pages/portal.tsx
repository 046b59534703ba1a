// The public portal: submit a petition without an account, and check its progress by tracking code and
// the phone's last four digits. Every field has a visible label; errors are announced and name the field;
// no CAPTCHA (the server limits submissions per address instead).
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError } from "../api";
import { call, Reply, Schema } from "../client";
import { ErrorSummary, errorText, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { label, language, t } from "../i18n";
import { localDate, localTime } from "../format";
import { AttachmentPicker, UploadReport, UploadResult, uploadFiles } from "../intake/attachment_picker";
import { PlacePicker } from "../intake/place_picker";
import { useSignal } from "../signal";

type Lists = Reply<"/api/v1/portal/categories", "get">;
type Status = Schema<"PublicStatus">;

// The form's fields by the API's names, and the ids of their inputs.
const submitIds: Record<string, string> = {
  "petitioner.name": "name", "petitioner.phone": "phone", type: "type", category: "category", subject: "subject",
  content: "content", "petitioner.unit": "place-town", "petitioner.preferred_channel": "channel-sms",
};

type Submitted = Schema<"PortalSubmitted">;
type Channel = NonNullable<Schema<"Petitioner">["preferred_channel"]>;

function limitText(limit: { unit: string; amount: number }): string {
  const word = t(`limit_${limit.unit}` as never) || limit.unit;
  return word.replace("{n}", String(limit.amount));
}

// The end of a submission: the tracking code, and what happens next and by when.
function Confirmation({ done, uploads }: { done: Submitted; uploads: UploadResult[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div ref={box} tabIndex={-1} class="confirmation" aria-labelledby="confirmation-title">
      <h3 id="confirmation-title" class="success">{t("portal_received")}</h3>
      <p>{t("tracking_code")}：<strong class="code">{done.tracking_code}</strong></p>
      <p>{t("keep_code")}</p>
      <UploadReport results={uploads} />
      <h4>{t("what_next")}</h4>
      <ol>
        <li>{done.due_at ? t("next_acceptance").replace("{date}", localDate(done.due_at)) : t("next_acceptance_soon")}</li>
        <li>{done.handling_limit ? t("next_handling").replace("{limit}", limitText(done.handling_limit)) : t("next_handling_plain")}</li>
        <li>{t("next_reply")}</li>
        <li>{t("next_look_up")}</li>
      </ol>
    </div>
  );
}

function Submit() {
  const [lists, setLists] = useState<Lists | null>(null);
  const [form, setForm] = useState({ name: "", phone: "", type: "help", category: "", place: "", subject: "", content: "", preferred_channel: "sms" as Channel });
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [done, setDone] = useState<Submitted | null>(null);
  const [uploads, setUploads] = useState<UploadResult[]>([]);

  useEffect(() => {
    call("get", "/api/v1/portal/categories").then(setLists);
  }, []);

  const set = (field: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = missingFields(
      { "petitioner.name": form.name, "petitioner.phone": form.phone, category: form.category, subject: form.subject,
        content: form.content },
      ["petitioner.name", "petitioner.phone", "category", "subject", "content"]);
    setErrors(missing);
    if (missing.length > 0) return;
    setBusy(true);
    try {
      const r = await call("post", "/api/v1/portal/petitions", {
        body: {
          type: form.type,
          category: form.category,
          subject: form.subject,
          content: form.content,
          petitioner: { name: form.name, phone: form.phone, preferred_channel: form.preferred_channel,
                        ...(form.place ? { unit: form.place } : {}) },
        },
      });
      setUploads(await uploadFiles(r.upload_url, files));
      setDone(r);
    } catch (err) {
      setErrors([fieldError(err)]);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string, hint?: string) => inlineError(errors, name, submitIds[name], hint);
  const name = field("petitioner.name"), phone = field("petitioner.phone", "phone-hint"), category = field("category"),
    subject = field("subject"), content = field("content"), place = field("petitioner.unit");

  if (done) return <Confirmation done={done} uploads={uploads} />;
  return (
    <form onSubmit={submit} aria-describedby="submit-intro" noValidate>
      <ErrorSummary errors={errors} idOf={(f) => submitIds[f]} />
      <p id="submit-intro">{t("submit_intro")}</p>
      <label for="name">{t("name")} *</label>
      {name.message}
      <input id="name" autoComplete="name" required value={form.name} onInput={set("name")} {...name.props} />
      <label for="phone">{t("phone")} *</label>
      <p id="phone-hint" class="hint">{t("phone_hint")}</p>
      {phone.message}
      <input id="phone" type="tel" autoComplete="tel" inputMode="tel" required value={form.phone} onInput={set("phone")}
             {...phone.props} />
      <label for="type">{t("portal_type")} *</label>
      <select id="type" required value={form.type} onChange={set("type")}>
        {lists?.types.map((type) => <option key={type} value={type}>{t(`type_${type}` as never) || type}</option>)}
      </select>
      <label for="category">{t("category")} *</label>
      {category.message}
      <select id="category" required value={form.category} onChange={set("category")} {...category.props}>
        <option value="">{t("choose")}</option>
        {lists?.categories.map((c) => (
          <option key={c.code} value={c.code}>{label(c.label)}</option>
        ))}
      </select>
      <PlacePicker id="place" value={form.place} onChange={(code) => setForm({ ...form, place: code })} error={place.message}
                   errorProps={place.props} />
      <label for="subject">{t("subject")} *</label>
      {subject.message}
      <input id="subject" required maxLength={200} value={form.subject} onInput={set("subject")} {...subject.props} />
      <label for="content">{t("content")} *</label>
      {content.message}
      <textarea id="content" required rows={6} value={form.content} onInput={set("content")} {...content.props} />
      <AttachmentPicker id="files" files={files} onChange={setFiles} />
      <p class="hint">{t("portal_files_limit")}</p>
      <fieldset>
        <legend>{t("preferred_channel")}</legend>
        {(["sms", "phone", "none"] as const).map((channel) => (
          <label key={channel} class="choice">
            <input type="radio" id={`channel-${channel}`} name="preferred_channel" value={channel}
                   checked={form.preferred_channel === channel} onChange={set("preferred_channel")} />
            {t(`channel_${channel}`)}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={busy}>{busy ? t("submitting") : t("submit")}</button>
    </form>
  );
}

function CheckStatus() {
  useSignal(language);
  const [code, setCode] = useState("");
  const [last4, setLast4] = useState("");
  const [found, setFound] = useState<Status | null>(null);
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    setFound(null);
    try {
      setFound(await call("post", "/api/v1/portal/status", { body: { tracking_code: code.trim(), phone_last4: last4.trim() } }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? t("not_found") : errorText(err));
    }
  };
  return (
    <form onSubmit={submit}>
      <label for="tracking-code">{t("tracking_code")} *</label>
      <input id="tracking-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      <label for="phone-last4">{t("phone_last4")} *</label>
      <input id="phone-last4" required inputMode="numeric" pattern="[0-9]{4}" maxLength={4} value={last4}
             onInput={(e) => setLast4(e.currentTarget.value)} />
      <button type="submit">{t("look_up")}</button>
      <div aria-live="polite">
        {error && <p class="error">{error}</p>}
        {found && (
          <dl class="status">
            <dt>{t("tracking_code")}</dt><dd>{found.tracking_code}</dd>
            <dt>{t("state")}</dt><dd>{label(found.state_label)}</dd>
            <dt>{t("received_at")}</dt><dd>{localTime(found.received_at)}</dd>
            <dt>{t("due_at")}</dt><dd>{localTime(found.due_at)}</dd>
          </dl>
        )}
      </div>
    </form>
  );
}

export function Portal() {
  useSignal(language);
  return (
    <>
      <h1>{t("portal")}</h1>
      <section aria-labelledby="submit-title" class="card">
        <h2 id="submit-title">{t("submit_title")}</h2>
        <Submit />
      </section>
      <section aria-labelledby="status-title" class="card">
        <h2 id="status-title">{t("status_title")}</h2>
        <CheckStatus />
      </section>
    </>
  );
}
