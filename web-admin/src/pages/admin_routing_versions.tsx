// The routing rules an admin edits: the table in force as YAML, a new version checked whole (every category
// kept, every unit it names active) and shown as a difference, "where would this go?" for any version, and
// the version put in force in every process.
import { useEffect, useState } from "preact/hooks";

import { call, callWithYaml, Reply, Schema } from "../client";
import { errorText } from "../errors";
import { localTime } from "../format";
import { language, t, WordKey } from "../i18n";
import { useSignal } from "../signal";
import { FileIntoText, Problems } from "./problems";

type Version = Reply<"/api/v1/routing/versions", "get">["versions"][number];
type Detail = Schema<"RoutingVersionDetail">;

function word(key: string): string {
  return t(key as WordKey) || key;
}

export function RoutingVersions({ categories, reload }: { categories: { code: string; label: string }[]; reload: () => void }) {
  useSignal(language);
  const [versions, setVersions] = useState<Version[]>([]);
  const [text, setText] = useState("");
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [question, setQuestion] = useState({ category: "", urgency: "normal", place: "", complained: "" });
  const [answer, setAnswer] = useState("");
  const load = async () => {
    const r = await call("get", "/api/v1/routing/versions");
    setVersions(r.versions);
    const active = r.versions.find((v) => v.active) ?? r.versions[0];
    setText((await call("get", "/api/v1/routing/versions/{routing_version}", { path: { routing_version: active.version } })).source);
  };
  useEffect(() => {
    load().catch(setError);
  }, []);
  const check = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage("");
    try {
      setDetail(await callWithYaml("post", "/api/v1/routing/versions", text));
      setVersions((await call("get", "/api/v1/routing/versions")).versions);
    } catch (err) {
      setError(err);
    }
  };
  const activate = async (version: number) => {
    setError(null);
    try {
      await call("post", "/api/v1/routing/versions/{routing_version}/activate", { path: { routing_version: version } });
      setMessage(t("routing_activated").replace("{v}", String(version)));
      setDetail(null);
      await load();
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const ask = async (e: Event) => {
    e.preventDefault();
    setAnswer("");
    try {
      const r = await call("post", "/api/v1/routing/test", { body: {
        category: question.category, urgency: question.urgency, place: question.place || undefined,
        complained_units: question.complained ? question.complained.split(/[\s,，、]+/).filter(Boolean) : [],
        ...(detail ? { version: detail.version } : {}),
      } });
      setAnswer(t("routed_to").replace("{u}", r.lead) + (r.co.length ? t("routed_co").replace("{c}", r.co.join("、")) : "")
        + (r.diverted ? t("routed_diverted") : "") + (r.rule ? t("routed_rule").replace("{l}", String(r.rule.line)) : ""));
    } catch (err) {
      setAnswer(errorText(err));
    }
  };
  return (
    <>
      <table>
        <caption>{t("routing_versions")}</caption>
        <thead><tr><th scope="col">{t("version")}</th><th scope="col">{t("origin")}</th><th scope="col">{t("installed_by")}</th>
          <th scope="col">{t("size")}</th><th scope="col">{t("in_force")}</th><th scope="col"></th></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">{v.version === 0 ? t("routing_file_version") : `v${v.version}`}</th>
              <td>{v.version === 0 ? t("origin_file_table") : word(`origin_${v.origin}`)}</td>
              <td>{v.created_by ? `${v.created_by} ${localTime(v.created_at!)}` : "—"}</td>
              <td>{t("routing_size").replace("{c}", String(v.categories)).replace("{r}", String(v.rules))}</td>
              <td>{v.active ? <strong>{t("in_force")}</strong> : ""}</td>
              <td>{!v.active && <button type="button" class="secondary" onClick={() => activate(v.version)}>{t("activate_version")}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={check}>
        <h3 id="routing-edit-title">{t("routing_edit")}</h3>
        <p class="hint">{t("routing_edit_hint")}</p>
        <FileIntoText id="routing-file" onText={setText} />
        <label for="routing-yaml">{t("routing_yaml")}</label>
        <textarea id="routing-yaml" rows={12} spellcheck={false} wrap="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">{t("check_and_save_version")}</button>
      </form>
      <Problems error={error} />
      {message && <p role="status">{message}</p>}
      {detail && (
        <div class="review">
          <h3 id="routing-diff-title">{t("routing_diff").replace("{v}", String(detail.version))}</h3>
          {detail.diff.length === 0 ? <p>{t("no_differences")}</p> : (
            <table aria-labelledby="routing-diff-title">
              <thead><tr><th scope="col">{t("routing_rules")}</th><th scope="col">{t("what_changes")}</th><th scope="col">{t("before")}</th><th scope="col">{t("after")}</th></tr></thead>
              <tbody>
                {detail.diff.map((c) => (
                  <tr key={c.rule}><th scope="row">{c.rule}</th><td>{word(`change_${c.change}`)}</td><td>{c.before ?? "—"}</td><td>{c.after ?? "—"}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="button" onClick={() => activate(detail.version)}>{t("activate_version")} v{detail.version}</button>
        </div>
      )}
      <form onSubmit={ask} aria-labelledby="routing-test-title">
        <h3 id="routing-test-title">{t("routing_test")}{detail ? ` (v${detail.version})` : ""}</h3>
        <label for="test-category">{t("category")}</label>
        <select id="test-category" required value={question.category} onChange={(e) => setQuestion({ ...question, category: e.currentTarget.value })}>
          <option value="">{t("choose")}</option>
          {categories.map((c) => <option key={c.code} value={c.code}>{c.label}</option>)}
        </select>
        <label for="test-urgency">{t("urgency")}</label>
        <select id="test-urgency" value={question.urgency} onChange={(e) => setQuestion({ ...question, urgency: e.currentTarget.value })}>
          {["normal", "urgent", "emergency"].map((u) => <option key={u} value={u}>{word(`urgency_${u}`)}</option>)}
        </select>
        <label for="test-place">{t("test_place")}</label>
        <input id="test-place" value={question.place} onInput={(e) => setQuestion({ ...question, place: e.currentTarget.value })} />
        <label for="test-complained">{t("test_complained")}</label>
        <input id="test-complained" value={question.complained} onInput={(e) => setQuestion({ ...question, complained: e.currentTarget.value })} />
        <button type="submit">{t("routing_ask")}</button>
        {answer && <p role="status" id="routing-answer">{answer}</p>}
      </form>
    </>
  );
}
