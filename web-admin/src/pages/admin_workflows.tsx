// Workflow versions for admins: what is installed and in force, a new definition checked and shown as a
// difference from the one in force (with its graph), then activated — optionally moving the running
// petitions of the version in force onto it, state by state.
import { useEffect, useRef, useState } from "preact/hooks";

import { call, callWithYaml, Reply, Schema } from "../client";
import { localTime } from "../format";
import { language, t, WordKey } from "../i18n";
import { useSignal } from "../signal";
import { Workflow } from "../workflow";
import { FileIntoText, Problems } from "./problems";
import { WorkflowGraph } from "./workflow_graph";

type Listing = Reply<"/api/v1/workflows", "get">;
type Detail = Schema<"WorkflowVersionDetail">;

function word(key: string): string {
  return t(key as WordKey) || key;
}

export function WorkflowVersions() {
  useSignal(language);
  const [listing, setListing] = useState<Listing | null>(null);
  const [text, setText] = useState("");
  const [detail, setDetail] = useState<Detail | null>(null);
  const [inForce, setInForce] = useState<Workflow | null>(null);
  const [migrate, setMigrate] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const diffTitle = useRef<HTMLHeadingElement>(null);
  const load = () => call("get", "/api/v1/workflows").then(setListing).catch(setError);
  useEffect(() => {
    load();
  }, []);
  // The difference is what the admin came for: the focus (and a screen reader) goes to it.
  useEffect(() => {
    if (detail) diffTitle.current?.focus();
  }, [detail]);
  const petition = listing?.workflows.find((w) => w.name === "petition");

  const check = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage("");
    setDetail(null);
    try {
      const uploaded = await callWithYaml("post", "/api/v1/workflows", text);
      setDetail(uploaded);
      setInForce(await call("get", "/api/v1/workflow", { query: { version: uploaded.compared_with } }));
      setMapping({});
      load();
    } catch (err) {
      setError(err);
    }
  };
  const open = async (version: number) => {
    setError(null);
    setMessage("");
    try {
      const shown = await call("get", "/api/v1/workflows/{name}/{version}", { path: { name: "petition", version } });
      setDetail(shown);
      setInForce(await call("get", "/api/v1/workflow", { query: { version: shown.compared_with } }));
      setMapping({});
    } catch (err) {
      setError(err);
    }
  };
  // Running states of the version in force that the new one lacks: the admin says where they go.
  const missing = detail && inForce
    ? inForce.states.filter((s) => !s.terminal && !detail.states.some((n) => n.name === s.name))
    : [];
  const activate = async () => {
    if (!detail) return;
    setError(null);
    try {
      const body = migrate ? { migration: { from_version: detail.compared_with, states: mapping } } : {};
      const done = await call("post", "/api/v1/workflows/{name}/{version}/activate", {
        path: { name: "petition", version: detail.version }, body,
      });
      setMessage(t("workflow_activated").replace("{v}", String(detail.version))
        + (done.migrated_petitions !== null ? t("workflow_migrated").replace("{n}", String(done.migrated_petitions)) : ""));
      setDetail(null);
      load();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      {petition && (
        <table>
          <caption>{t("workflow_versions")}</caption>
          <thead>
            <tr><th scope="col">{t("version")}</th><th scope="col">{t("origin")}</th><th scope="col">{t("installed_by")}</th>
              <th scope="col">{t("size")}</th><th scope="col">{t("in_force")}</th><th scope="col"></th></tr>
          </thead>
          <tbody>
            {petition.versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">v{v.version}</th>
                <td>{word(`origin_${v.origin}`)}</td>
                <td>{v.created_by ? `${v.created_by} ${localTime(v.created_at!)}` : "—"}</td>
                <td>{t("workflow_size").replace("{s}", String(v.states)).replace("{t}", String(v.transitions))
                  .replace("{c}", String(v.clocks)).replace("{e}", String(v.escalations))}</td>
                <td>{v.active ? <strong>{t("in_force")}</strong> : ""}</td>
                <td>{!v.active && <button type="button" class="secondary" onClick={() => open(v.version)}>{t("review_version")} v{v.version}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={check}>
        <h3 id="workflow-upload-title">{t("workflow_upload")}</h3>
        <p class="hint">{t("workflow_upload_hint")}</p>
        <FileIntoText id="workflow-file" onText={setText} />
        <label for="workflow-yaml">{t("definition_yaml")}</label>
        <textarea id="workflow-yaml" rows={10} spellcheck={false} wrap="off" value={text}
                  onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">{t("check_and_upload")}</button>
      </form>
      <Problems error={error} />
      {message && <p role="status">{message}</p>}
      {detail && (
        <div class="review" aria-labelledby="workflow-diff-title">
          <h3 id="workflow-diff-title" tabIndex={-1} ref={diffTitle}>{t("workflow_diff").replace("{v}", String(detail.version)).replace("{w}", String(detail.compared_with))}</h3>
          {detail.diff.length === 0 ? <p>{t("no_differences")}</p> : (
            <table>
              <thead><tr><th scope="col">{t("what_changes")}</th><th scope="col">{t("name")}</th><th scope="col">{t("before")}</th><th scope="col">{t("after")}</th></tr></thead>
              <tbody>
                {detail.diff.map((c, i) => (
                  <tr key={i}>
                    <td>{word(`diff_${c.what}`)}（{word(`change_${c.change}`)}）</td>
                    <th scope="row">{c.name}{c.aspect ? ` · ${c.aspect}` : ""}</th>
                    <td>{c.before ?? "—"}</td>
                    <td>{c.after ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <WorkflowGraph version={detail} />
          <label class="inline">
            <input type="checkbox" checked={migrate} onChange={(e) => setMigrate(e.currentTarget.checked)} />
            {t("migrate_running").replace("{v}", String(detail.compared_with))}
          </label>
          {migrate && missing.map((s) => (
            <div key={s.name}>
              <label for={`map-${s.name}`}>{t("state_goes_to").replace("{s}", s.label.zh)}</label>
              <select id={`map-${s.name}`} value={mapping[s.name] ?? ""}
                      onChange={(e) => setMapping({ ...mapping, [s.name]: e.currentTarget.value })}>
                <option value="">{t("choose")}</option>
                {detail.states.filter((n) => !n.terminal).map((n) => <option key={n.name} value={n.name}>{n.label.zh}（{n.name}）</option>)}
              </select>
            </div>
          ))}
          <button type="button" onClick={activate}>{t("activate_version")} v{detail.version}</button>
        </div>
      )}
    </>
  );
}
