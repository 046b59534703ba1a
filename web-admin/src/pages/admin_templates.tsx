// Message templates for admins: a preview of any topic, and the texts edited here — laid over the shipped
// ones (and any templates file), saved as numbered versions, in force at once; an earlier version, or none,
// can be put back.
import { useEffect, useState } from "preact/hooks";

import { call, callWithYaml, Reply, Schema } from "../client";
import { localTime } from "../format";
import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { Problems } from "./problems";

type Templates = Schema<"MessageTemplates">;
type Version = Reply<"/api/v1/notifications/templates/versions", "get">["versions"][number];

const example = `# 只写要改的主题和部分，其余沿用系统自带的文本。
reminder:
  staff:
    zh: "催办：{tracking_code} 请于 {due_at} 前办结。"
    en: "Reminder: {tracking_code} is due {due_at}."
`;

export function Templates() {
  useSignal(language);
  const [topic, setTopic] = useState("reminder");
  const [readers, setReaders] = useState<"staff" | "petitioner">("staff");
  const [result, setResult] = useState<{ subject: string; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [templates, setTemplates] = useState<Templates | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [draft, setDraft] = useState("");
  const [message, setMessage] = useState("");
  const show = (r: Templates) => {
    setTemplates(r);
    setDraft(r.source ?? example);
  };
  const loadVersions = () =>
    call("get", "/api/v1/notifications/templates/versions").then((r) => setVersions(r.versions));
  useEffect(() => {
    call("get", "/api/v1/notifications/templates").then(show).catch(setError);
    loadVersions().catch(setError);
  }, []);
  const preview = async (withDraft: boolean) => {
    setError(null);
    try {
      setResult(await call("post", "/api/v1/notifications/preview",
        { body: { topic, readers, language: language.get(), ...(withDraft ? { draft } : {}) } }));
    } catch (err) {
      setError(err);
    }
  };
  const save = async () => {
    setError(null);
    setMessage("");
    try {
      show(await callWithYaml("put", "/api/v1/notifications/templates", draft));
      setMessage(t("saved"));
      await loadVersions();
    } catch (err) {
      setError(err);
    }
  };
  const activate = async (version: number) => {
    setError(null);
    try {
      show(await call("post", "/api/v1/notifications/templates/versions/{templates_version}/activate", {
        path: { templates_version: version },
      }));
      setMessage(t("saved"));
      await loadVersions();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <form onSubmit={(e) => { e.preventDefault(); preview(false); }}>
        <label for="preview-topic">{t("topic")}</label>
        <select id="preview-topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
          {Object.keys(templates?.topics ?? {}).map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
        <label for="preview-readers">{t("readers")}</label>
        <select id="preview-readers" value={readers} onChange={(e) => setReaders(e.currentTarget.value === "petitioner" ? "petitioner" : "staff")}>
          <option value="petitioner">{t("petitioner")}</option>
          <option value="staff">{t("staff")}</option>
        </select>
        <button type="submit">{t("preview")}</button>
      </form>
      <h3 id="templates-edit-title">{t("templates_edit")}</h3>
      <p class="hint">{t("templates_edit_hint")}</p>
      <label for="templates-yaml">{t("templates_yaml")}</label>
      <textarea id="templates-yaml" rows={8} spellcheck={false} wrap="off" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
      <div class="buttons">
        <button type="button" class="secondary" onClick={() => preview(true)}>{t("preview_draft")}</button>
        <button type="button" onClick={save}>{t("save_new_version")}</button>
      </div>
      <Problems error={error} />
      {message && <p role="status">{message}</p>}
      {result && (
        <div class="preview" aria-live="polite">
          <p><strong>{result.subject}</strong></p>
          <p>{result.text}</p>
        </div>
      )}
      <table>
        <caption>{t("templates_versions")}</caption>
        <thead><tr><th scope="col">{t("version")}</th><th scope="col">{t("installed_by")}</th><th scope="col">{t("in_force")}</th><th scope="col"></th></tr></thead>
        <tbody>
          <tr>
            <th scope="row">{t("templates_shipped")}</th><td>—</td><td>{templates?.version === 0 ? <strong>{t("in_force")}</strong> : ""}</td>
            <td>{templates?.version !== 0 && <button type="button" class="secondary" onClick={() => activate(0)}>{t("activate_version")}</button>}</td>
          </tr>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">v{v.version}</th>
              <td>{v.created_by ?? "—"} {localTime(v.created_at)}</td>
              <td>{v.active ? <strong>{t("in_force")}</strong> : ""}</td>
              <td>{!v.active && <button type="button" class="secondary" onClick={() => activate(v.version)}>{t("activate_version")}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
