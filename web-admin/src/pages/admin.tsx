// The admin's pages: the units tree, users and their roles, categories and routing (with its versions),
// working calendars, notifications that failed too often (resend), the workflow and its versions, the message
// templates (preview and edit), and the settings.
import { useEffect, useState } from "preact/hooks";

import { call, Reply } from "../client";
import { language, t, WordKey } from "../i18n";
import { localTime } from "../format";
import { useSignal } from "../signal";
import { Calendars } from "./admin_calendars";
import { ConfigurationBundle } from "./admin_configuration";
import { RoutingTable } from "./admin_routing";
import { Settings } from "./admin_settings";
import { Templates } from "./admin_templates";
import { Unit, Units } from "./admin_units";
import { Users } from "./admin_users";
import { WorkflowVersions } from "./admin_workflows";
import { WorkflowGraph } from "./workflow_graph";

const deadPage = 50;
const sections = ["units", "users", "routing", "calendars", "dead", "workflow", "templates", "settings", "bundle"] as const;
const sectionTitle: Record<(typeof sections)[number], WordKey> = {
  units: "units", users: "users", routing: "routing", calendars: "calendars", dead: "dead_letters", workflow: "workflow", templates: "templates",
  settings: "settings", bundle: "bundle",
};

type DeadLetter = Reply<"/api/v1/notifications/dead-letters", "get">["dead_letters"][number];

export function Admin() {
  useSignal(language);
  const [units, setUnits] = useState<Unit[]>([]);
  const loadUnits = () => {
    call("get", "/api/v1/units", { query: { include_inactive: true } }).then((r) => setUnits(r.units));
  };
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const [pages, setPages] = useState<number[]>([]);  // the "before" cursor of each page shown so far
  const [next, setNext] = useState<number | null>(null);
  const loadDead = (before?: number) =>
    call("get", "/api/v1/notifications/dead-letters", { query: { limit: deadPage, before } }).then((r) => {
      setDead(r.dead_letters);
      setNext(r.next_before ?? null);
    });
  const page = (cursors: number[]) => {
    setPages(cursors);
    loadDead(cursors[cursors.length - 1]);
  };
  useEffect(() => {
    loadUnits();
    loadDead();
  }, []);
  const resend = async (id: number) => {
    await call("post", "/api/v1/notifications/dead-letters/{delivery_id}/resend", { path: { delivery_id: id } });
    loadDead(pages[pages.length - 1]);
  };
  return (
    <>
      <h1>{t("admin")}</h1>
      <nav aria-label={t("on_this_page")}>
        <ul class="index">
          {sections.map((id) => <li key={id}><a href={`#${id}-title`}>{t(sectionTitle[id])}</a></li>)}
        </ul>
      </nav>
      <section aria-labelledby="units-title" class="card">
        <h2 id="units-title">{t("units")}</h2>
        <Units units={units} reload={loadUnits} />
      </section>
      <section aria-labelledby="users-title" class="card">
        <h2 id="users-title">{t("users")}</h2>
        <Users units={units} />
      </section>
      <section aria-labelledby="routing-title" class="card">
        <h2 id="routing-title">{t("routing")}</h2>
        <RoutingTable editable />
      </section>
      <section aria-labelledby="calendars-title" class="card">
        <h2 id="calendars-title">{t("calendars")}</h2>
        <Calendars editable />
      </section>
      <section aria-labelledby="dead-title" class="card">
        <h2 id="dead-title">{t("dead_letters")}</h2>
        {dead.length === 0 ? <p>{t("none")}</p> : (
          <table>
            <thead><tr><th scope="col">{t("topic")}</th><th scope="col">{t("channel")}</th><th scope="col">{t("last_error")}</th><th scope="col">{t("failed_at")}</th><th scope="col"></th></tr></thead>
            <tbody>
              {dead.map((d) => (
                <tr key={d.id}>
                  <td>{d.topic}</td><td>{d.channel} {d.address ?? ""}</td><td>{d.last_error}</td><td>{localTime(d.failed_at)}</td>
                  <td><button type="button" onClick={() => resend(d.id)}>{t("resend")}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {(pages.length > 0 || next) && (
          <nav class="pager" aria-label={t("dead_letters")}>
            <button type="button" class="secondary" disabled={pages.length === 0} onClick={() => page(pages.slice(0, -1))}>{t("newer")}</button>
            <button type="button" class="secondary" disabled={!next} onClick={() => next && page([...pages, next])}>{t("older")}</button>
          </nav>
        )}
      </section>
      <section aria-labelledby="workflow-title" class="card">
        <h2 id="workflow-title">{t("workflow")}</h2>
        <WorkflowGraph />
        <WorkflowVersions />
      </section>
      <section aria-labelledby="templates-title" class="card">
        <h2 id="templates-title">{t("templates")}</h2>
        <Templates />
      </section>
      <section aria-labelledby="settings-title" class="card">
        <h2 id="settings-title">{t("settings")}</h2>
        <Settings units={units} />
      </section>
      <section aria-labelledby="bundle-title" class="card">
        <h2 id="bundle-title">{t("bundle")}</h2>
        <ConfigurationBundle />
      </section>
    </>
  );
}
