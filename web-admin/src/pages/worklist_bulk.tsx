// Bulk actions on the worklist: the same action on several petitions at once, where the workflow allows it
// without a form — a transition that needs no fields, or only the unit (a dispatch then goes where the routing
// table sends each petition). Each petition is acted on with its own current version; each result is reported,
// and a petition someone changed meanwhile is left as it is and named.
import { useState } from "preact/hooks";

import { call } from "../client";
import { errorText } from "../errors";
import { label, t } from "../i18n";
import { Workflow } from "../workflow";

export interface Selectable {
  id: number;
  tracking_code: string;
  state: string;
}

// The transitions this user may take on every one of `items` without a form.
export function bulkTransitions(workflow: Workflow, roles: string[], items: Selectable[]) {
  if (items.length === 0) return [];
  return workflow.transitions.filter(
    (tr) =>
      tr.requires.every((field) => field === "unit") &&
      tr.roles.some((role) => roles.includes(role)) &&
      items.every((item) => tr.from.includes(item.state)),
  );
}

interface Outcome {
  tracking_code: string;
  error: string | null;
}

// `listed`: how many petitions the list shows (after an action the list may be empty; the results stay).
export function BulkBar({ workflow, roles, selected, listed, onDone }: {
  workflow: Workflow; roles: string[]; selected: Selectable[]; listed: number; onDone: () => void;
}) {
  const [action, setAction] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const possible = bulkTransitions(workflow, roles, selected);
  const chosen = possible.find((tr) => tr.name === action) ?? possible[0];

  const run = async () => {
    if (!chosen) return;
    setBusy(true);
    const results: Outcome[] = [];
    for (const item of selected) {
      try {
        const path = { petition_id: item.id };
        const petition = await call("get", "/api/v1/petitions/{petition_id}", { path });
        await call("post", "/api/v1/petitions/{petition_id}/actions/{transition}", {
          path: { ...path, transition: chosen.name }, body: { version: petition.version },
        });
        results.push({ tracking_code: item.tracking_code, error: null });
      } catch (err) {
        results.push({ tracking_code: item.tracking_code, error: errorText(err) });
      }
    }
    setOutcomes(results);
    setBusy(false);
    onDone();
  };

  const failed = outcomes.filter((o) => o.error);
  if (listed === 0 && outcomes.length === 0) return null;
  return (
    <div class="bulk-bar" role="group" aria-labelledby="bulk-title">
      <p id="bulk-title"><strong>{t("bulk_selected").replace("{n}", String(selected.length))}</strong></p>
      {selected.length > 0 && (possible.length === 0 ? <p class="hint">{t("bulk_none")}</p> : (
        <div class="inline-add">
          <label for="bulk-action" class="visually-hidden">{t("bulk_action")}</label>
          <select id="bulk-action" value={chosen?.name} onChange={(e) => setAction(e.currentTarget.value)}>
            {possible.map((tr) => <option key={tr.name} value={tr.name}>{label(tr.label)}</option>)}
          </select>
          <button type="button" disabled={busy} onClick={run}>
            {busy ? t("submitting") : t("bulk_apply").replace("{n}", String(selected.length))}
          </button>
          {chosen?.requires.includes("unit") && <p class="hint">{t("bulk_dispatch_hint")}</p>}
        </div>
      ))}
      {outcomes.length > 0 && (
        <div role={failed.length > 0 ? "alert" : "status"}>
          <p>{t("bulk_done").replace("{ok}", String(outcomes.length - failed.length)).replace("{n}", String(outcomes.length))}</p>
          {failed.length > 0 && (
            <ul class="error">{failed.map((o) => <li key={o.tracking_code}>{o.tracking_code}：{o.error}</li>)}</ul>
          )}
        </div>
      )}
    </div>
  );
}
