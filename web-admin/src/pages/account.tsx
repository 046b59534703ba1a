// One's own account: change the password (which ends every session, this one too), choose how messages
// reach you (channels, e-mail, language, quiet hours), and see and end your sessions.
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "../client";
import { ErrorSummary, errorText, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { localTime } from "../format";
import { language, t } from "../i18n";
import { useSignal } from "../signal";

const passwordIds: Record<string, string> = {
  current_password: "current-password", new_password: "new-password", confirm_password: "confirm-password",
};

function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const [form, setForm] = useState({ current_password: "", new_password: "", confirm_password: "" });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems = missingFields(form, ["current_password", "new_password", "confirm_password"]);
    if (problems.length === 0 && form.new_password !== form.confirm_password)
      problems.push({ field: "confirm_password", message: t("passwords_differ") });
    setErrors(problems);
    if (problems.length > 0) return;
    try {
      await call("post", "/api/v1/auth/password", { body: { current_password: form.current_password, new_password: form.new_password } });
      setDone(true);
    } catch (err) {
      setErrors([fieldError(err)]);
    }
  };
  if (done)
    return (
      <div role="status" class="success">
        <p>{t("password_changed")}</p>
        <button type="button" onClick={onChanged}>{t("log_in_again")}</button>
      </div>
    );
  const field = (name: keyof typeof form, hint?: string) => inlineError(errors, name, passwordIds[name], hint);
  const current = field("current_password"), wanted = field("new_password", "new-password-hint"),
    confirm = field("confirm_password");
  const set = (name: keyof typeof form) => (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} idOf={(f) => passwordIds[f]} />
      <label for="current-password">{t("current_password")}</label>
      {current.message}
      <input id="current-password" type="password" autocomplete="current-password" required value={form.current_password}
             onInput={set("current_password")} {...current.props} />
      <label for="new-password">{t("new_password")}</label>
      <p id="new-password-hint" class="hint">{t("rule_new_password")}</p>
      {wanted.message}
      <input id="new-password" type="password" autocomplete="new-password" required minLength={10} value={form.new_password}
             onInput={set("new_password")} {...wanted.props} />
      <label for="confirm-password">{t("confirm_password")}</label>
      {confirm.message}
      <input id="confirm-password" type="password" autocomplete="new-password" required value={form.confirm_password}
             onInput={set("confirm_password")} {...confirm.props} />
      <p class="hint">{t("password_change_ends_sessions")}</p>
      <button type="submit">{t("change_password")}</button>
    </form>
  );
}

type Preferences = Schema<"NotificationPreferences">;
type Channel = Preferences["channels"][number];

function NotificationPreferences() {
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [quiet, setQuiet] = useState({ on: false, from: "22:00", until: "07:30" });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState("");
  useEffect(() => {
    call("get", "/api/v1/me/notification-preferences").then((p) => {
      setPrefs(p);
      if (p.quiet_hours) setQuiet({ on: true, ...p.quiet_hours });
    });
  }, []);
  if (!prefs) return <p role="status">{t("loading")}</p>;
  const toggle = (channel: Channel, on: boolean) =>
    setPrefs({ ...prefs, channels: on ? [...prefs.channels, channel] : prefs.channels.filter((c) => c !== channel) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setMessage("");
    try {
      const saved = await call("put", "/api/v1/me/notification-preferences", { body: {
        email: prefs.email || null, language: prefs.language, channels: prefs.channels,
        quiet_hours: quiet.on ? { from: quiet.from, until: quiet.until } : null,
      } });
      setPrefs(saved);
      setMessage(saved.warning ? `${t("saved")} ${t("email_missing_warning")}` : t("saved"));
    } catch (err) {
      setErrors([fieldError(err)]);
    }
  };
  const ids: Record<string, string> = {
    email: "pref-email", channels: "pref-channel-in_app", "quiet_hours.from": "quiet-from", "quiet_hours.until": "quiet-until",
    quiet_hours: "quiet-from",
  };
  const email = inlineError(errors, "email", "pref-email");
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} idOf={(f) => ids[f]} />
      <fieldset>
        <legend>{t("message_channels")}</legend>
        {(["in_app", "sms", "email"] as const).map((channel) => (
          <label class="choice" key={channel}>
            <input type="checkbox" id={`pref-channel-${channel}`} checked={prefs.channels.includes(channel)}
                   onChange={(e) => toggle(channel, e.currentTarget.checked)} />
            {t(`message_channel_${channel}`)}
          </label>
        ))}
        <p class="hint">{t("urgent_always_sms")}</p>
      </fieldset>
      <label for="pref-email">{t("email")}</label>
      {email.message}
      <input id="pref-email" type="email" autocomplete="email" value={prefs.email ?? ""}
             onInput={(e) => setPrefs({ ...prefs, email: e.currentTarget.value })} {...email.props} />
      <label for="pref-language">{t("message_language")}</label>
      <select id="pref-language" value={prefs.language} onChange={(e) => setPrefs({ ...prefs, language: e.currentTarget.value as "zh" | "en" })}>
        <option value="zh">中文</option>
        <option value="en" lang="en">English</option>
      </select>
      <fieldset>
        <legend>{t("quiet_hours")}</legend>
        <label class="choice">
          <input type="checkbox" checked={quiet.on} onChange={(e) => setQuiet({ ...quiet, on: e.currentTarget.checked })} />
          {t("quiet_hours_on")}
        </label>
        {quiet.on && (
          <div class="inline-fields">
            <label for="quiet-from">{t("quiet_from")}</label>
            <input id="quiet-from" type="time" value={quiet.from} onInput={(e) => setQuiet({ ...quiet, from: e.currentTarget.value })} />
            <label for="quiet-until">{t("quiet_until")}</label>
            <input id="quiet-until" type="time" value={quiet.until} onInput={(e) => setQuiet({ ...quiet, until: e.currentTarget.value })} />
          </div>
        )}
        <p class="hint">{t("quiet_hours_hint")}</p>
      </fieldset>
      <button type="submit">{t("save")}</button>
      {message && <p role="status" class="success">{message}</p>}
    </form>
  );
}

type SessionRow = Schema<"BrowserSession">;

// "Chrome on Windows" from a user-agent string, enough to tell one's sessions apart.
function browserName(agent: string | null): string {
  if (!agent) return t("unknown_browser");
  const browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox" : /Chrome\//.test(agent) ? "Chrome"
    : /Safari\//.test(agent) ? "Safari" : t("unknown_browser");
  const system = /Windows/.test(agent) ? "Windows" : /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS"
    : /Mac OS X/.test(agent) ? "macOS" : /Linux/.test(agent) ? "Linux" : "";
  return system ? `${browser}（${system}）` : browser;
}

function Sessions() {
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const load = () => call("get", "/api/v1/me/sessions").then((r) => setSessions(r.sessions));
  useEffect(() => void load(), []);
  const end = async (id?: string) => {
    setError("");
    setMessage("");
    try {
      await (id ? call("delete", "/api/v1/me/sessions/{session_id}", { path: { session_id: id } })
                : call("delete", "/api/v1/me/sessions"));
      setMessage(id ? t("session_ended") : t("other_sessions_ended"));
    } catch (err) {
      setError(errorText(err));
    }
    load();
  };
  return (
    <>
      <ul class="plain sessions">
        {sessions.map((s) => (
          <li key={s.id}>
            <p>
              <strong>{browserName(s.user_agent)}</strong> {s.current && <span class="tag">{t("this_session")}</span>}
            </p>
            <p class="muted">
              {t("session_address")} {s.address ?? "—"}；{t("session_opened")} {localTime(s.created_at)}；
              {t("session_last_used")} {localTime(s.last_seen_at)}
            </p>
            {!s.current && (
              <button type="button" class="secondary" onClick={() => end(s.id)}>
                {t("end_session")}<span class="visually-hidden">：{browserName(s.user_agent)} {localTime(s.created_at)}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
      {sessions.length > 1 && <button type="button" onClick={() => end()}>{t("end_other_sessions")}</button>}
      {message && <p role="status" class="success">{message}</p>}
      {error && <p role="alert" class="error">{error}</p>}
    </>
  );
}

export function Account({ onSignedOut }: { onSignedOut: () => void }) {
  useSignal(language);
  return (
    <>
      <h1>{t("my_account")}</h1>
      <section aria-labelledby="password-title" class="card">
        <h2 id="password-title">{t("change_password")}</h2>
        <ChangePassword onChanged={onSignedOut} />
      </section>
      <section aria-labelledby="preferences-title" class="card">
        <h2 id="preferences-title">{t("notification_preferences")}</h2>
        <NotificationPreferences />
      </section>
      <section aria-labelledby="sessions-title" class="card">
        <h2 id="sessions-title">{t("my_sessions")}</h2>
        <Sessions />
      </section>
    </>
  );
}
