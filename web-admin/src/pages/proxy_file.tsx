// A proxy (guardian, village cadre, federation staff) files on a petitioner's behalf, with the
// petitioner's consent recorded (how it was given); the case then shows on the proxy's own list.
import { useEffect, useState } from "preact/hooks";

import { api, errorText } from "../api";
import { label, language, t } from "../i18n";
import { navigate } from "../router";
import { useSignal } from "../signal";

export function ProxyFile() {
  useSignal(language);
  const [categories, setCategories] = useState<{ code: string; label: { zh: string; en: string } }[]>([]);
  const [form, setForm] = useState({ name: "", phone: "", id_number: "", category: "", subject: "", content: "", consent: "" });
  const [error, setError] = useState("");
  useEffect(() => {
    api<{ categories: typeof categories }>("GET", "/api/v1/portal/categories").then((r) => setCategories(r.categories));
  }, []);
  const set = (field: keyof typeof form) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const created = await api<{ id: number }>("POST", "/api/v1/petitions", {
        channel: "walk_in", type: "help", category: form.category, subject: form.subject, content: form.content,
        petitioner: { name: form.name, phone: form.phone, id_number: form.id_number }, consent: { method: form.consent },
      });
      navigate(`/petitions/${created.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="proxy-title" class="card">
      <h1 id="proxy-title">{t("file_on_behalf")}</h1>
      <form onSubmit={submit}>
        <label for="p-name">{t("name")} *</label>
        <input id="p-name" required value={form.name} onInput={set("name")} />
        <label for="p-phone">{t("phone")} *</label>
        <input id="p-phone" type="tel" required value={form.phone} onInput={set("phone")} />
        <label for="p-id">{t("id_number")} *</label>
        <input id="p-id" required maxLength={18} value={form.id_number} onInput={set("id_number")} />
        <label for="p-category">{t("category")} *</label>
        <select id="p-category" required value={form.category} onChange={set("category")}>
          <option value="">{t("choose")}</option>
          {categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
        </select>
        <label for="p-subject">{t("subject")} *</label>
        <input id="p-subject" required value={form.subject} onInput={set("subject")} />
        <label for="p-content">{t("content")} *</label>
        <textarea id="p-content" required rows={5} value={form.content} onInput={set("content")} />
        <label for="p-consent">{t("consent")} *</label>
        <select id="p-consent" required value={form.consent} onChange={set("consent")}>
          <option value="">{t("choose")}</option>
          {(["written", "verbal", "recorded_call", "electronic"] as const).map((m) => (
            <option key={m} value={m}>{t(`consent_${m}`)}</option>
          ))}
        </select>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit">{t("submit")}</button>
      </form>
    </section>
  );
}
