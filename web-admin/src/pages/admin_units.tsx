// The organisation tree for admins: every unit under its parent, a form to add one, and a form to rename,
// move, give a calendar to, or deactivate one (the server refuses moving a unit under itself and
// deactivating one that still has active units below it, and says so).
import { useEffect, useState } from "preact/hooks";

import { Body, call, Schema } from "../client";
import { errorText } from "../errors";
import { language, t } from "../i18n";
import { useSignal } from "../signal";

export type Unit = Schema<"Unit">;

// Folded below the first level (a district has hundreds of villages); <details> opens by keyboard too.
function UnitTree({ units, parent, depth = 0 }: { units: Unit[]; parent: string | null; depth?: number }) {
  const children = units.filter((u) => u.parent === parent);
  if (children.length === 0) return null;
  return (
    <ul class="tree">
      {children.map((u) => {
        const name = <><span>{u.name}</span> <code>{u.code}</code>{!u.active && ` (${t("inactive")})`}</>;
        return (
          <li key={u.code}>
            {units.some((c) => c.parent === u.code) ? (
              <details open={depth === 0}>
                <summary>{name}</summary>
                <UnitTree units={units} parent={u.code} depth={depth + 1} />
              </details>
            ) : name}
          </li>
        );
      })}
    </ul>
  );
}


function NewUnit({ units, saved }: { units: Unit[]; saved: () => void }) {
  const [unit, setUnit] = useState({ code: "", name: "", parent: "", kind: "area" as Unit["kind"] });
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      await call("post", "/api/v1/units", { body: unit });
      setUnit({ code: "", name: "", parent: "", kind: "area" });
      saved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="new-unit-title">
      <h3 id="new-unit-title">{t("new_unit")}</h3>
      <label for="new-unit-parent">{t("parent_unit")}</label>
      <select id="new-unit-parent" required value={unit.parent} onChange={(e) => setUnit({ ...unit, parent: e.currentTarget.value })}>
        <option value="">{t("choose")}</option>
        {units.filter((u) => u.active).map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
      </select>
      <label for="new-unit-code">{t("unit_code")}</label>
      <input id="new-unit-code" required maxLength={32} value={unit.code} onInput={(e) => setUnit({ ...unit, code: e.currentTarget.value })} />
      <label for="new-unit-name">{t("unit_name")}</label>
      <input id="new-unit-name" required maxLength={100} value={unit.name} onInput={(e) => setUnit({ ...unit, name: e.currentTarget.value })} />
      <fieldset>
        <legend>{t("unit_kind")}</legend>
        {(["area", "department"] as const).map((kind) => (
          <label class="choice" key={kind}>
            <input type="radio" name="new-unit-kind" value={kind} checked={unit.kind === kind} onChange={() => setUnit({ ...unit, kind })} />
            {t(kind === "area" ? "kind_area" : "kind_department")}
          </label>
        ))}
      </fieldset>
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit">{t("add")}</button>
    </form>
  );
}

function EditUnit({ units, calendars, saved }: { units: Unit[]; calendars: string[]; saved: () => void }) {
  const [code, setCode] = useState("");
  const [draft, setDraft] = useState<Unit | null>(null);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const choose = (value: string) => {
    setCode(value);
    setMessage("");
    setDraft(units.find((u) => u.code === value) ?? null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    const before = units.find((u) => u.code === code)!;
    const change: Body<"/api/v1/units/{unit_code}", "patch"> = {};
    if (draft.name !== before.name) change.name = draft.name;
    if (draft.parent !== before.parent && draft.parent) change.parent = draft.parent;
    if (draft.calendar !== before.calendar) change.calendar = draft.calendar || null;
    if (draft.active !== before.active) change.active = draft.active;
    setError("");
    try {
      await call("patch", "/api/v1/units/{unit_code}", { path: { unit_code: code }, body: change });
      setMessage(t("saved"));
      saved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="edit-unit-title">
      <h3 id="edit-unit-title">{t("edit_unit")}</h3>
      <label for="edit-unit">{t("unit")}</label>
      <select id="edit-unit" value={code} onChange={(e) => choose(e.currentTarget.value)}>
        <option value="">{t("choose")}</option>
        {units.map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
      </select>
      {draft && (
        <>
          <label for="edit-unit-name">{t("unit_name")}</label>
          <input id="edit-unit-name" required maxLength={100} value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
          {draft.parent && (
            <>
              <label for="edit-unit-parent">{t("parent_unit")}</label>
              <select id="edit-unit-parent" value={draft.parent} onChange={(e) => setDraft({ ...draft, parent: e.currentTarget.value })}>
                {units.filter((u) => u.active && u.code !== code).map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
              </select>
            </>
          )}
          <label for="edit-unit-calendar">{t("calendars")}</label>
          <select id="edit-unit-calendar" value={draft.calendar ?? ""} onChange={(e) => setDraft({ ...draft, calendar: e.currentTarget.value || null })}>
            <option value="">{t("inherited_calendar")}</option>
            {calendars.map((name) => <option key={name} value={name}>{name}</option>)}
          </select>
          <label class="choice">
            <input type="checkbox" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })} />
            {t("active")}
          </label>
          {error && <p role="alert" class="error">{error}</p>}
          {message && <p role="status">{message}</p>}
          <button type="submit">{t("save")}</button>
        </>
      )}
    </form>
  );
}

// `units`: every unit, inactive ones too; `reload` reads them again after a change.
export function Units({ units, reload }: { units: Unit[]; reload: () => void }) {
  useSignal(language);
  const [calendars, setCalendars] = useState<string[]>([]);
  useEffect(() => {
    call("get", "/api/v1/calendars").then((r) => setCalendars(r.calendars.map((c) => c.name)));
  }, []);
  return (
    <>
      <UnitTree units={units} parent={null} />
      <div class="columns">
        <NewUnit units={units} saved={reload} />
        <EditUnit units={units} calendars={calendars} saved={reload} />
      </div>
    </>
  );
}
