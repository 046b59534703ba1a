// Settings for admins: the telephone system's token (generated, shown once, rotated with an overlap), the SMS
// gateway and the SMTP server (each with a test message), the portal's intake unit and limits, the trusted
// reverse proxies, the digest hour and the repeat window. Secrets are written, never shown again.
import { useEffect, useState } from "preact/hooks";

import { call, Reply, Schema } from "../client";
import { errorText } from "../errors";
import { localTime } from "../format";
import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { Unit } from "./admin_units";

// Each setting's value has a shape of its own (docs/settings.md); the forms below read the members they show.
type Setting = Omit<Schema<"Setting">, "value"> & { value: any };

type Values = Record<string, Setting>;

// One form per setting: its own save button, its own message.
function SettingForm({ name, title, children, value, onSaved }: {
  name: string; title: string; children: preact.ComponentChildren; value: () => unknown; onSaved: (s: Setting) => void;
}) {
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const save = async (e: Event) => {
    e.preventDefault();
    setMessage("");
    setError("");
    try {
      onSaved(await call("put", "/api/v1/settings/{setting}", { path: { setting: name }, body: { value: value() } }));
      setMessage(t("saved"));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const id = `setting-${name.replace(/\./g, "-")}`;
  return (
    <form onSubmit={save} aria-labelledby={`${id}-title`} class="setting">
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
      <button type="submit">{t("save")}</button>
      {message && <p role="status">{message}</p>}
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

// A test message by text (to a phone) or by e-mail (to an address).
function TestSend({ by, label }: { by: "sms" | "email"; label: string }) {
  const [address, setAddress] = useState("");
  const [result, setResult] = useState("");
  const send = async () => {
    setResult("");
    try {
      const r = by === "sms" ? await call("post", "/api/v1/settings/sms.gateway/test", { body: { phone: address } })
                             : await call("post", "/api/v1/settings/smtp/test", { body: { to: address } });
      setResult(r.sent ? t("test_sent") : `${t("test_failed")}${r.error}`);
    } catch (err) {
      setResult(errorText(err));
    }
  };
  const id = by === "sms" ? "test-phone" : "test-to";
  return (
    <div class="test-send">
      <label for={id}>{label}</label>
      <input id={id} value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
      <button type="button" class="secondary" onClick={send}>{t("send_test")}</button>
      {result && <p role="status">{result}</p>}
    </div>
  );
}

// 32 URL-safe characters from the browser's cryptographic generator: the address the SMS gateway posts to.
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

export function Settings({ units }: { units: Unit[] }) {
  useSignal(language);
  const [values, setValues] = useState<Values | null>(null);
  const [token, setToken] = useState<Reply<"/api/v1/settings/cti.token/rotate", "post"> | null>(null);
  const [overlap, setOverlap] = useState("60");
  const [error, setError] = useState("");
  const [sms, setSms] = useState({ url: "", token: "", body: "", inbound: "" });
  const [smtp, setSmtp] = useState({ host: "", port: "587", security: "starttls", username: "", password: "", from: "", from_name: "" });
  const [intake, setIntake] = useState("");
  const [limits, setLimits] = useState({ submissions: "5", lookups: "30", per_minutes: "60" });
  const [proxies, setProxies] = useState("");
  const [digest, setDigest] = useState("8");
  const [repeat, setRepeat] = useState("90");
  const load = async () => {
    const r = await call("get", "/api/v1/settings");
    const byName: Values = Object.fromEntries(r.settings.map((s) => [s.name, s]));
    setValues(byName);
    const v = (name: string) => byName[name]?.value;
    setSms({ url: v("sms.gateway")?.url ?? "", token: "", body: v("sms.gateway")?.body ?? "", inbound: "" });
    const m = v("smtp") ?? {};
    setSmtp({ host: m.host ?? "", port: String(m.port ?? 587), security: m.security ?? "starttls", username: m.username ?? "",
              password: "", from: m.from ?? "", from_name: m.from_name ?? "" });
    setIntake(v("portal.intake_unit") ?? "");
    const l = v("portal.rate_limit") ?? {};
    setLimits({ submissions: String(l.submissions ?? 5), lookups: String(l.lookups ?? 30), per_minutes: String(l.per_minutes ?? 60) });
    setProxies((v("http.trusted_proxies") ?? []).join("\n"));
    const d = byName["digest"];
    setDigest(d?.set ? (d.value?.hour === null ? "off" : String(d.value?.hour ?? 8)) : "8");
    setRepeat(String(v("petitions.repeat_window_days") ?? 90));
  };
  useEffect(() => {
    load().catch((err) => setError(errorText(err)));
  }, []);
  if (!values) return error ? <p role="alert">{error}</p> : <p role="status">{t("loading")}</p>;
  const saved = (s: Setting) => setValues({ ...values, [s.name]: s });
  const rotate = async () => {
    setError("");
    try {
      setToken(await call("post", "/api/v1/settings/cti.token/rotate", { body: { overlap_minutes: Number(overlap) } }));
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const cti = values["cti.token"];
  const secretHint = (set?: boolean) => (set ? t("secret_set_keep") : t("secret_unset"));
  return (
    <>
      <section aria-labelledby="setting-cti-title" class="setting">
        <h3 id="setting-cti-title">{t("cti_token")}</h3>
        <p>{cti?.set ? t("cti_token_set") : t("cti_token_unset")}
          {cti?.previous_valid_until ? ` ${t("cti_previous_until").replace("{t}", localTime(cti.previous_valid_until))}` : ""}</p>
        <label for="cti-overlap">{t("cti_overlap_minutes")}</label>
        <input id="cti-overlap" type="number" min="0" max="10080" value={overlap} onInput={(e) => setOverlap(e.currentTarget.value)} />
        <button type="button" onClick={rotate}>{cti?.set ? t("cti_rotate") : t("cti_generate")}</button>
        {token && (
          <div role="status" class="once">
            <p>{t("cti_shown_once")}</p>
            <p><code id="cti-new-token">{token.token}</code></p>
            <p>{t("cti_address")}<code>{`${location.origin}/api/v1/cti/${token.token}`}</code></p>
          </div>
        )}
        {error && <p role="alert" class="error">{error}</p>}
      </section>

      <SettingForm name="sms.gateway" title={t("sms_gateway")} onSaved={saved}
                   value={() => (sms.url ? {
                     url: sms.url, ...(sms.token ? { token: sms.token } : {}), ...(sms.body ? { body: sms.body } : {}),
                     ...(sms.inbound ? { inbound_token: sms.inbound } : {}),
                   } : null)}>
        <label for="sms-url">{t("sms_url")}</label>
        <input id="sms-url" type="url" value={sms.url} onInput={(e) => setSms({ ...sms, url: e.currentTarget.value })} />
        <label for="sms-token">{t("sms_token")}</label>
        <input id="sms-token" type="password" autocomplete="new-password" placeholder={secretHint(values["sms.gateway"]?.secrets_set?.token)}
               value={sms.token} onInput={(e) => setSms({ ...sms, token: e.currentTarget.value })} />
        <label for="sms-body">{t("sms_body")}</label>
        <input id="sms-body" value={sms.body} placeholder='{"to":"{phone}","text":"{text}","id":"{id}"}'
               onInput={(e) => setSms({ ...sms, body: e.currentTarget.value })} />
        <label for="sms-inbound">{t("sms_inbound_token")}</label>
        <input id="sms-inbound" autocomplete="off" aria-describedby="sms-inbound-hint" value={sms.inbound}
               placeholder={secretHint(values["sms.gateway"]?.secrets_set?.inbound_token)}
               onInput={(e) => setSms({ ...sms, inbound: e.currentTarget.value })} />
        <button type="button" onClick={() => setSms({ ...sms, inbound: randomToken() })}>{t("sms_inbound_generate")}</button>
        <p id="sms-inbound-hint" class="hint">
          {t("sms_inbound_hint")}<code>{`${location.origin}/api/v1/sms/inbound/${sms.inbound || t("sms_inbound_placeholder")}`}</code>
        </p>
        <TestSend by="sms" label={t("test_phone")} />
      </SettingForm>

      <SettingForm name="smtp" title={t("smtp")} onSaved={saved}
                   value={() => (smtp.host ? {
                     host: smtp.host, port: Number(smtp.port), security: smtp.security, from: smtp.from,
                     ...(smtp.username ? { username: smtp.username } : {}), ...(smtp.password ? { password: smtp.password } : {}),
                     ...(smtp.from_name ? { from_name: smtp.from_name } : {}),
                   } : null)}>
        <label for="smtp-host">{t("smtp_host")}</label>
        <input id="smtp-host" value={smtp.host} onInput={(e) => setSmtp({ ...smtp, host: e.currentTarget.value })} />
        <label for="smtp-port">{t("smtp_port")}</label>
        <input id="smtp-port" type="number" min="1" max="65535" value={smtp.port} onInput={(e) => setSmtp({ ...smtp, port: e.currentTarget.value })} />
        <label for="smtp-security">{t("smtp_security")}</label>
        <select id="smtp-security" value={smtp.security} onChange={(e) => setSmtp({ ...smtp, security: e.currentTarget.value })}>
          <option value="starttls">STARTTLS</option><option value="tls">TLS</option><option value="none">{t("none")}</option>
        </select>
        <label for="smtp-username">{t("login_name")}</label>
        <input id="smtp-username" value={smtp.username} onInput={(e) => setSmtp({ ...smtp, username: e.currentTarget.value })} />
        <label for="smtp-password">{t("password")}</label>
        <input id="smtp-password" type="password" autocomplete="new-password" placeholder={secretHint(values["smtp"]?.secrets_set?.password)}
               value={smtp.password} onInput={(e) => setSmtp({ ...smtp, password: e.currentTarget.value })} />
        <label for="smtp-from">{t("smtp_from")}</label>
        <input id="smtp-from" type="email" value={smtp.from} onInput={(e) => setSmtp({ ...smtp, from: e.currentTarget.value })} />
        <label for="smtp-from-name">{t("smtp_from_name")}</label>
        <input id="smtp-from-name" value={smtp.from_name} onInput={(e) => setSmtp({ ...smtp, from_name: e.currentTarget.value })} />
        <TestSend by="email" label={t("test_email")} />
      </SettingForm>

      <SettingForm name="portal.intake_unit" title={t("portal_intake_unit")} onSaved={saved} value={() => intake || null}>
        <label for="portal-intake">{t("portal_intake_unit_hint")}</label>
        <select id="portal-intake" value={intake} onChange={(e) => setIntake(e.currentTarget.value)}>
          <option value="">{t("unassigned")}</option>
          {units.filter((u) => u.active).map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
        </select>
      </SettingForm>

      <SettingForm name="portal.rate_limit" title={t("portal_rate_limit")} onSaved={saved}
                   value={() => ({ submissions: Number(limits.submissions), lookups: Number(limits.lookups), per_minutes: Number(limits.per_minutes) })}>
        {(["submissions", "lookups", "per_minutes"] as const).map((k) => (
          <div key={k}>
            <label for={`limit-${k}`}>{t(`limit_${k}`)}</label>
            <input id={`limit-${k}`} type="number" min="1" value={limits[k]} onInput={(e) => setLimits({ ...limits, [k]: e.currentTarget.value })} />
          </div>
        ))}
      </SettingForm>

      <SettingForm name="http.trusted_proxies" title={t("trusted_proxies")} onSaved={saved}
                   value={() => proxies.split(/\s+/).filter(Boolean)}>
        <label for="trusted-proxies">{t("trusted_proxies_hint")}</label>
        <textarea id="trusted-proxies" rows={3} value={proxies} onInput={(e) => setProxies(e.currentTarget.value)} />
      </SettingForm>

      <SettingForm name="digest" title={t("digest_hour")} onSaved={saved}
                   value={() => ({ hour: digest === "off" ? null : Number(digest) })}>
        <label for="digest-hour">{t("digest_hour_hint")}</label>
        <select id="digest-hour" value={digest} onChange={(e) => setDigest(e.currentTarget.value)}>
          <option value="off">{t("digest_off")}</option>
          {Array.from({ length: 24 }, (_, h) => <option key={h} value={String(h)}>{`${String(h).padStart(2, "0")}:00`}</option>)}
        </select>
      </SettingForm>

      <SettingForm name="petitions.repeat_window_days" title={t("repeat_window")} onSaved={saved} value={() => Number(repeat)}>
        <label for="repeat-window">{t("repeat_window_hint")}</label>
        <input id="repeat-window" type="number" min="1" max="3650" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
      </SettingForm>
    </>
  );
}
