// The worklist as a to-do list: open work by default (closed cases on request), what awaits this user's
// decision on top (returns, extension requests, replies to approve, reviews), a search box (tracking code,
// phone number, or words of the subject and content), filters kept in the address so Back and links work,
// sortable by deadline or by received time, and views saved by name in this browser.
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "../client";
import { timeLeftText } from "../deadline";
import { errorText } from "../errors";
import { navigate } from "../router";
import { label, language, t, WordKey } from "../i18n";
import { localTime } from "../format";
import { useSignal } from "../signal";
import { loadWorkflow, Workflow } from "../workflow";
import { BulkBar } from "./worklist_bulk";

type Item = Schema<"PetitionSummary">;
type Page = Schema<"PetitionPage">;

interface Filters {
  q: string;
  state: string;  // "open" (the default), "closed", "all", or one state
  type: string;
  category: string;
  urgency: string;
  unit: string;  // a unit's code: orders of that unit and those below it
  deadline: string;
  sort: "deadline" | "received";
}

const pageSize = 50;
const blank: Filters = { q: "", state: "open", type: "", category: "", urgency: "", unit: "", deadline: "", sort: "deadline" };
// States in which someone must decide on another's request: these lead the list for those who may.
const decisionStates = ["return_requested", "extension_requested", "reply_checking", "reviewing", "re_reviewing"];
const word = (key: string) => t(key as WordKey) || key;

function filtersFromAddress(mine: boolean): Filters {
  const params = new URLSearchParams(location.search);
  const base = mine ? { ...blank, state: "all", sort: "received" as const } : blank;
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof Filters)[]) {
    const value = params.get(key);
    if (value !== null) (out as Record<string, string>)[key] = value;
  }
  return out;
}

// The states a filter stands for, from the workflow in force.
function statesOf(filter: string, workflow: Workflow | null): string[] {
  if (!workflow || filter === "all") return [];
  const finished = workflow.states.filter((s) => s.terminal || s.name === "closed").map((s) => s.name);
  if (filter === "open") return workflow.states.map((s) => s.name).filter((s) => !finished.includes(s));
  if (filter === "closed") return finished;
  return [filter];
}

function query(f: Filters, states: string[], mine: boolean, after?: string): Record<string, string> {
  const params: Record<string, string> = { limit: String(pageSize), sort: f.sort };
  if (mine) params.mine = "true";
  if (states.length > 0) params.state = states.join(",");
  for (const key of ["q", "type", "category", "urgency", "unit", "deadline"] as const) if (f[key].trim()) params[key] = f[key].trim();
  if (after) params.after = after;
  return params;
}

const list = (params: Record<string, string>): Promise<Page> => call("get", "/api/v1/petitions", { query: params });

// `select`: rows may be chosen for a bulk action (a checkbox first in each row).
function Rows({ items, select }: { items: Item[]; select?: { chosen: Set<number>; toggle: (id: number) => void } }) {
  return (
    <div class="table-scroll" role="region" aria-label={t("worklist")} tabIndex={0}>
      <table class="cards-on-phone">
        <thead>
          <tr>
            {select && <th scope="col"><span class="visually-hidden">{t("bulk_choose")}</span></th>}
            <th scope="col">{t("tracking_code")}</th>
            <th scope="col">{t("subject")}</th>
            <th scope="col">{t("petitioner")}</th>
            <th scope="col">{t("type")}</th>
            <th scope="col">{t("urgency")}</th>
            <th scope="col">{t("state")}</th>
            <th scope="col">{t("unit")}</th>
            <th scope="col">{t("received_at")}</th>
            <th scope="col">{t("due")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              {select && (
                <td data-label={t("bulk_choose")}>
                  <input type="checkbox" id={`choose-${item.id}`} checked={select.chosen.has(item.id)} onChange={() => select.toggle(item.id)}
                         aria-label={`${t("bulk_choose")} ${item.tracking_code}`} />
                </td>
              )}
              <td data-label={t("tracking_code")}>
                <span><a href={`/petitions/${item.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${item.id}`); }}>
                  {item.tracking_code}
                </a>
                {item.contact.call_dont_text && <span class="flag"> {t("call_dont_text")}</span>}</span>
              </td>
              <td data-label={t("subject")}>{item.subject}</td>
              <td data-label={t("petitioner")}>{item.petitioner_name ?? "—"}</td>
              <td data-label={t("type")}>{word(`type_${item.type}`)}</td>
              <td data-label={t("urgency")}>{item.urgency === "normal" ? word("urgency_normal") : <strong>{word(`urgency_${item.urgency}`)}</strong>}</td>
              <td data-label={t("state")}>{word(`state_${item.state}`)}</td>
              <td data-label={t("unit")}>{item.responsible_unit?.name ?? "—"}</td>
              <td data-label={t("received_at")}>{localTime(item.received_at)}</td>
              <td data-label={t("due")}>
                <span>
                  {item.deadline_status && (
                    <span class={`badge badge-${item.deadline_status}`}>{t(`status_${item.deadline_status}`)}</span>
                  )}{" "}
                  {item.time_left ? <span title={localTime(item.due_at)}>{timeLeftText(item.time_left)}</span> : "—"}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Views saved by name, per user, in this browser.
function useSavedViews(user: number) {
  const key = `petitiond.worklist-views.${user}`;
  const [views, setViews] = useState<Record<string, Filters>>(() => JSON.parse(localStorage.getItem(key) ?? "{}"));
  const save = (name: string, filters: Filters) => {
    const next = { ...views, [name]: filters };
    localStorage.setItem(key, JSON.stringify(next));
    setViews(next);
  };
  const remove = (name: string) => {
    const next = { ...views };
    delete next[name];
    localStorage.setItem(key, JSON.stringify(next));
    setViews(next);
  };
  return { views, save, remove };
}

// `mine`: a proxy's own cases (filed by them or granted to them), newest first, with their state.
export function Worklist({ mine = false, user = 0, roles = [] }: { mine?: boolean; user?: number; roles?: string[] }) {
  useSignal(language);
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [categories, setCategories] = useState<{ code: string; label: { zh: string; en: string } }[]>([]);
  const [units, setUnits] = useState<{ code: string; name: string }[]>([]);
  const [filters, setFilters] = useState<Filters>(() => filtersFromAddress(mine));
  const [draft, setDraft] = useState<Filters>(filters);
  const [items, setItems] = useState<Item[] | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [decisions, setDecisions] = useState<Item[]>([]);
  const [viewName, setViewName] = useState("");
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [error, setError] = useState("");
  const saved = useSavedViews(user);

  useEffect(() => {
    loadWorkflow().then(setWorkflow).catch(() => setError(t("error")));
    call("get", "/api/v1/portal/categories").then((r) => setCategories(r.categories)).catch(() => undefined);
    if (!mine) call("get", "/api/v1/units").then((r) => setUnits(r.units)).catch(() => undefined);
  }, []);
  const mineToDecide = workflow
    ? decisionStates.filter((s) => workflow.transitions.some((tr) => tr.from.includes(s) && tr.roles.some((r) => roles.includes(r))))
    : [];
  const load = (after?: string) =>
    list(query(filters, statesOf(filters.state, workflow), mine, after))
      .then((p) => {
        setError("");
        setPage(p);
        setItems((shown) => (after && shown ? [...shown, ...p.items] : p.items));
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    if (!workflow) return;
    load();
    if (!mine && mineToDecide.length > 0)
      list(query({ ...blank, sort: "deadline" }, mineToDecide, false)).then((p) => setDecisions(p.items)).catch(() => undefined);
  }, [workflow, filters]);

  const apply = (next: Filters) => {
    setDraft(next);
    setFilters(next);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value && value !== blank[key as keyof Filters]) params.set(key, value);
    history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    apply(draft);
  };
  const set = (key: keyof Filters) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });

  if (error && !items) return <p role="alert" class="error">{error}</p>;
  if (!items || !page || !workflow) return <p role="status">{t("loading")}</p>;
  return (
    <section aria-labelledby="worklist-title">
      <h1 id="worklist-title">{mine ? t("my_cases") : t("worklist")}</h1>
      {decisions.length > 0 && (
        <section aria-labelledby="decisions-title" class="card">
          <h2 id="decisions-title">{t("awaiting_my_decision")} ({decisions.length})</h2>
          <Rows items={decisions} />
        </section>
      )}
      <form class="worklist-filters" onSubmit={submit} role="search" aria-label={t("search_and_filter")}>
        <label for="worklist-q">{t("search")}</label>
        <p id="worklist-q-hint" class="hint">{t("search_hint")}</p>
        <input id="worklist-q" type="search" maxLength={100} aria-describedby="worklist-q-hint" value={draft.q} onInput={set("q")} />
        <div class="filter-fields">
          <div>
            <label for="worklist-state">{t("state")}</label>
            <select id="worklist-state" value={draft.state} onChange={set("state")}>
              <option value="open">{t("open_work")}</option>
              <option value="closed">{t("closed_work")}</option>
              <option value="all">{t("all")}</option>
              {workflow.states.map((s) => <option key={s.name} value={s.name}>{label(s.label)}</option>)}
            </select>
          </div>
          <div>
            <label for="worklist-type">{t("type")}</label>
            <select id="worklist-type" value={draft.type} onChange={set("type")}>
              <option value="">{t("all")}</option>
              {["consultation", "help", "suggestion", "complaint", "report", "formal", "legal_aid"].map((type) => (
                <option key={type} value={type}>{word(`type_${type}`)}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="worklist-category">{t("category")}</label>
            <select id="worklist-category" value={draft.category} onChange={set("category")}>
              <option value="">{t("all")}</option>
              {categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
            </select>
          </div>
          <div>
            <label for="worklist-urgency">{t("urgency")}</label>
            <select id="worklist-urgency" value={draft.urgency} onChange={set("urgency")}>
              <option value="">{t("all")}</option>
              {["normal", "urgent", "emergency"].map((u) => <option key={u} value={u}>{word(`urgency_${u}`)}</option>)}
            </select>
          </div>
          {!mine && (
            <div>
              <label for="worklist-unit">{t("unit_and_below")}</label>
              <input id="worklist-unit" list="worklist-units" autocomplete="off" maxLength={32} value={draft.unit} onInput={set("unit")} />
              <datalist id="worklist-units">
                {units.map((u) => <option key={u.code} value={u.code}>{u.name}</option>)}
              </datalist>
            </div>
          )}
          <div>
            <label for="worklist-deadline">{t("deadline")}</label>
            <select id="worklist-deadline" value={draft.deadline} onChange={set("deadline")}>
              <option value="">{t("all")}</option>
              <option value="warning">{t("status_warning")}</option>
              <option value="overdue">{t("status_overdue")}</option>
            </select>
          </div>
          <div>
            <label for="worklist-sort">{t("sort_by")}</label>
            <select id="worklist-sort" value={draft.sort} onChange={set("sort")}>
              <option value="deadline">{t("sort_deadline")}</option>
              <option value="received">{t("sort_received")}</option>
            </select>
          </div>
        </div>
        <button type="submit">{t("search")}</button>{" "}
        <button type="button" class="secondary" onClick={() => apply(mine ? filtersFromAddress(true) : blank)}>{t("clear_filters")}</button>
      </form>
      <details class="saved-views">
        <summary>{t("saved_views")}</summary>
        {Object.keys(saved.views).length > 0 && (
          <ul class="plain">
            {Object.entries(saved.views).map(([name, view]) => (
              <li key={name}>
                <button type="button" class="secondary" onClick={() => apply(view)}>{name}</button>{" "}
                <button type="button" class="secondary" onClick={() => saved.remove(name)}>
                  {t("delete")}<span class="visually-hidden">：{name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="inline" onSubmit={(e) => { e.preventDefault(); if (viewName.trim()) { saved.save(viewName.trim(), filters); setViewName(""); } }}>
          <label for="view-name">{t("view_name")}</label>
          <input id="view-name" maxLength={30} value={viewName} onInput={(e) => setViewName(e.currentTarget.value)} />
          <button type="submit">{t("save_view")}</button>
        </form>
      </details>
      <p role="status" id="worklist-count">
        {t("worklist_count").replace("{shown}", String(items.length)).replace("{total}", `${page.total}${page.total_exact ? "" : "+"}`)}
      </p>
      {error && <p role="alert" class="error">{error}</p>}
      {!mine && (
        <BulkBar workflow={workflow} roles={roles} selected={items.filter((i) => chosen.has(i.id))} listed={items.length}
                 onDone={() => { setChosen(new Set()); load(); }} />
      )}
      {items.length === 0 ? <p>{t("empty_worklist")}</p> : (
        <Rows items={items} select={mine ? undefined : {
          chosen,
          toggle: (id) => setChosen((all) => {
            const next = new Set(all);
            if (!next.delete(id)) next.add(id);
            return next;
          }),
        }} />
      )}
      {page.next && <button type="button" onClick={() => load(page.next!)}>{t("load_more")}</button>}
    </section>
  );
}
