// The routing table: which unit leads (and which co-handle) each category, which unit plays each department
// function in this district, and for admins the rules' versions (admin_routing_versions.tsx).
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "../client";
import { errorText } from "../errors";
import { label, language, t, WordKey } from "../i18n";
import { useSignal } from "../signal";
import { RoutingVersions } from "./admin_routing_versions";

type Target = Schema<"RoutingTarget">;
type Routing = Schema<"RoutingTable">;
type Unit = Schema<"Unit">;

function word(key: string): string {
  return t(key as WordKey) || key;
}

export function RoutingTable({ editable }: { editable: boolean }) {
  useSignal(language);
  const [routing, setRouting] = useState<Routing | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const show = (r: Routing) => {
    setRouting(r);
    setDraft(Object.fromEntries(r.functions.map((f) => [f.name, f.unit?.code ?? ""])));
  };
  const load = () => call("get", "/api/v1/routing").then(show).catch(() => setError(t("error")));
  useEffect(() => {
    load();
    call("get", "/api/v1/units").then((r) => setUnits(r.units.filter((u) => u.kind === "department")));
  }, []);
  if (!routing) return error ? <p role="alert">{error}</p> : <p role="status">{t("loading")}</p>;
  const unitName = (code: string) => units.find((u) => u.code === code)?.name ?? code;
  const target = (x: Target) =>
    x.kind === "function" ? `${word(`function_${x.value}`)}（${draft[x.value!] ? unitName(draft[x.value!]) : t("unassigned")}）`
    : x.kind === "unit" ? unitName(x.value!)
    : word(`target_${x.kind}`);
  const save = async (e: Event) => {
    e.preventDefault();
    setError("");
    setMessage("");
    const functions = Object.fromEntries(Object.entries(draft).map(([name, code]) => [name, code || null]));
    try {
      show(await call("put", "/api/v1/routing/functions", { body: { functions } }));
      setMessage(t("saved"));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <table>
        <caption>{t("routing_rules")}（{routing.version ? `v${routing.version}` : routing.file}）</caption>
        <thead>
          <tr><th scope="col">{t("category")}</th><th scope="col">{t("urgency")}</th><th scope="col">{t("lead_unit")}</th><th scope="col">{t("co_units")}</th></tr>
        </thead>
        <tbody>
          {routing.rules.map((r) => (
            <tr key={r.category + (r.urgency ?? "")}>
              <th scope="row">{label(r.label)}</th>
              <td>{r.urgency ? word(`urgency_${r.urgency}`) : t("any")}</td>
              <td>{target(r.lead)}</td>
              <td>{r.co.map(target).join("、") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={save} aria-labelledby="functions-title">
        <h3 id="functions-title">{t("functions")}</h3>
        <p class="hint">{t("functions_hint")}</p>
        {routing.functions.map((f) => (
          <div key={f.name}>
            <label for={`function-${f.name}`}>{word(`function_${f.name}`)}</label>
            <select id={`function-${f.name}`} disabled={!editable} value={draft[f.name] ?? ""}
                    onChange={(e) => setDraft({ ...draft, [f.name]: e.currentTarget.value })}>
              <option value="">{t("unassigned")}</option>
              {units.map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
            </select>
          </div>
        ))}
        {editable && <button type="submit">{t("save")}</button>}
        {message && <p role="status">{message}</p>}
        {error && <p role="alert" class="error">{error}</p>}
      </form>
      {editable && (
        <RoutingVersions reload={load}
                         categories={[...new Map(routing.rules.map((r) => [r.category, label(r.label)])).entries()]
                           .map(([code, name]) => ({ code, label: name }))} />
      )}
    </>
  );
}
