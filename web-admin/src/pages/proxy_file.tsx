// A proxy (guardian, village cadre, federation staff) files on a petitioner's behalf, with the
// petitioner's consent recorded (how it was given); the case then shows on the proxy's own list.
import { useEffect, useState } from "preact/hooks";

import { api } from "../api";
import { ErrorSummary, FieldError, fieldError, inlineError, missingFields } from "../errors";
import { label, language, t } from "../i18n";
import { navigate } from "../router";
import { useSignal } from "../signal";

// The form's fields by the API's names, and the ids of their inputs.
const ids: Record<string, string> = {
  "petitioner.name": "p-name", "petitioner.phone": "p-phone", "petitioner.id_number": "p-id", category: "p-category",
  subject: "p-subject", content: "p-content", consent: "p-consent", "consent.method": "p-consent",
};

export function ProxyFile() {
  useSignal(language);
  const [categories, setCategories] = useState<{ code: string; label: { zh: string; en: string } }[]>([]);
  const [form, setForm] = useState({ name: "", phone: "", id_number: "", category: "", subject: "", content: "", consent: "" });
  const [errors, setErrors] = useState<FieldError[]>([]);
  useEffect(() => {
    api<{ categories: typeof categories }>("GET", "/api/v1/portal/categories").then((r) => setCategories(r.categories));
  }, []);
  const set = (field: keyof typeof form) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = missingFields(
      { "petitioner.name": form.name, "petitioner.phone": form.phone, "petitioner.id_number": form.id_number,
        category: form.category, subject: form.subject, content: form.content, consent: form.consent },
      ["petitioner.name", "petitioner.phone", "petitioner.id_number", "category", "subject", "content", "consent"]);
    setErrors(missing);
    if (missing.length > 0) return;
    try {
      const created = await api<{ id: number }>("POST", "/api/v1/petitions", {
        channel: "walk_in", type: "help", category: form.category, subject: form.subject, content: form.content,
        petitioner: { name: form.name, phone: form.phone, id_number: form.id_number }, consent: { method: form.consent },
      });
      navigate(`/petitions/${created.id}`);
    } catch (err) {
      setErrors([fieldError(err)]);
    }
  };
  const error = (field: string) => inlineError(errors, field, ids[field]);
  const nameE = error("petitioner.name"), phoneE = error("petitioner.phone"), idE = error("petitioner.id_number"),
    categoryE = error("category"), subjectE = error("subject"), contentE = error("content"),
    consentE = inlineError(errors, errors.some((e) => e.field === "consent.method") ? "consent.method" : "consent", "p-consent");
  return (
    <section aria-labelledby="proxy-title" class="card">
      <h1 id="proxy-title">{t("file_on_behalf")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} idOf={(f) => ids[f]} />
        <label for="p-name">{t("name")} *</label>
        {nameE.message}
        <input id="p-name" required value={form.name} onInput={set("name")} {...nameE.props} />
        <label for="p-phone">{t("phone")} *</label>
        {phoneE.message}
        <input id="p-phone" type="tel" required value={form.phone} onInput={set("phone")} {...phoneE.props} />
        <label for="p-id">{t("id_number")} *</label>
        {idE.message}
        <input id="p-id" required maxLength={18} value={form.id_number} onInput={set("id_number")} {...idE.props} />
        <label for="p-category">{t("category")} *</label>
        {categoryE.message}
        <select id="p-category" required value={form.category} onChange={set("category")} {...categoryE.props}>
          <option value="">{t("choose")}</option>
          {categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
        </select>
        <label for="p-subject">{t("subject")} *</label>
        {subjectE.message}
        <input id="p-subject" required value={form.subject} onInput={set("subject")} {...subjectE.props} />
        <label for="p-content">{t("content")} *</label>
        {contentE.message}
        <textarea id="p-content" required rows={5} value={form.content} onInput={set("content")} {...contentE.props} />
        <label for="p-consent">{t("consent")} *</label>
        {consentE.message}
        <select id="p-consent" required value={form.consent} onChange={set("consent")} {...consentE.props}>
          <option value="">{t("choose")}</option>
          {(["written", "verbal", "recorded_call", "electronic"] as const).map((m) => (
            <option key={m} value={m}>{t(`consent_${m}`)}</option>
          ))}
        </select>
        <button type="submit">{t("submit")}</button>
      </form>
    </section>
  );
}
