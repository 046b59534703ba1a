// Where the petition would go, shown as soon as its category and place are known: the routing table's lead
// unit (and co-handlers), by name, as the desk registers it. Only a suggestion: dispatch decides.
import { useEffect, useState } from "preact/hooks";

import { ApiError } from "../api";
import { call, Schema } from "../client";
import { t } from "../i18n";

type Routed = Schema<"Routed">;

export function RoutingHint({ category, urgency, place, complained }: {
  category: string; urgency: string; place: string; complained: string[];
}) {
  const [routed, setRouted] = useState<Routed | null>(null);
  const [none, setNone] = useState(false);
  const key = JSON.stringify([category, urgency, place, complained]);
  useEffect(() => {
    setRouted(null);
    setNone(false);
    if (!category || !place) return;
    let current = true;
    const timer = setTimeout(() => {
      call("post", "/api/v1/routing/test", { body: { category, urgency, place, complained_units: complained } })
        .then((r) => current && setRouted(r))
        .catch((err) => current && err instanceof ApiError && err.status === 422 && setNone(true));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key]);
  const name = (code: string) => routed?.units[code] ?? code;
  return (
    <p class="routing-hint" role="status">
      {routed && (
        <>
          {t("routing_suggestion")}<strong>{name(routed.lead)}</strong>
          {routed.co.length > 0 && <>{t("routing_co")}{routed.co.map(name).join("、")}</>}
          {routed.diverted && <>（{t("routing_diverted")}）</>}
        </>
      )}
      {none && t("routing_none")}
    </p>
  );
}
