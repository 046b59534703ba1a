// The place a petition concerns: a town or street, then (optionally) one of its villages or communities. Typing
// part of a name narrows both lists; a name that fits one village alone chooses it. Native selects, so a
// screen reader and a phone each present them their own way.
import { useEffect, useState } from "preact/hooks";

import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { loadPlaces, Place } from "./places";

interface Props {
  id: string;               // the prefix of the inputs' ids; the town select is `${id}-town`
  value: string;            // the chosen place's code ("" for none)
  onChange: (code: string) => void;
  required?: boolean;
  error?: preact.ComponentChildren;                // the inline error, if any
  errorProps?: Record<string, unknown>;             // aria-invalid and aria-describedby for the town select
}

export function PlacePicker({ id, value, onChange, required, error, errorProps }: Props) {
  useSignal(language);
  const [places, setPlaces] = useState<Place[]>([]);
  const [search, setSearch] = useState("");
  useEffect(() => {
    loadPlaces().then(setPlaces).catch(() => undefined);
  }, []);

  const chosen = places.find((p) => p.code === value);
  const town = chosen ? (chosen.parent ?? chosen.code) : "";
  const words = search.trim();
  const villagesMatching = words ? places.filter((p) => p.parent && p.name.includes(words)) : [];
  const towns = places.filter(
    (p) => !p.parent && (!words || p.name.includes(words) || villagesMatching.some((v) => v.parent === p.code) || p.code === town));
  const villages = places.filter(
    (p) => p.parent === town && (!words || p.name.includes(words) || villagesMatching.length === 0 || p.code === value));

  const typed = (text: string) => {
    setSearch(text);
    const found = text.trim() ? places.filter((p) => p.parent && p.name.includes(text.trim())) : [];
    if (found.length === 1) onChange(found[0].code);
    else {
      const onlyTown = places.filter((p) => !p.parent && p.name.includes(text.trim()));
      if (text.trim() && found.length === 0 && onlyTown.length === 1) onChange(onlyTown[0].code);
    }
  };
  const count = words ? towns.length + villagesMatching.length : null;

  return (
    <fieldset class="place-picker">
      <legend>{t("place_concerned")}{required ? " *" : ""}</legend>
      {error}
      <label for={`${id}-search`}>{t("place_search")}</label>
      <input id={`${id}-search`} type="search" value={search} autoComplete="off" aria-describedby={`${id}-found`}
             onInput={(e) => typed(e.currentTarget.value)} />
      <p id={`${id}-found`} class="hint" aria-live="polite">
        {count === null ? t("place_search_hint") : t("place_found").replace("{n}", String(count))}
      </p>
      <div class="place-selects">
        <div>
          <label for={`${id}-town`}>{t("place_town")}</label>
          <select id={`${id}-town`} value={town} required={required} {...errorProps}
                  onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">{t("choose")}</option>
            {towns.map((p) => <option key={p.code} value={p.code}>{p.name}</option>)}
          </select>
        </div>
        <div>
          <label for={`${id}-village`}>{t("place_village")}</label>
          <select id={`${id}-village`} value={chosen?.parent ? value : ""} disabled={!town}
                  onChange={(e) => onChange(e.currentTarget.value || town)}>
            <option value="">{town ? t("place_whole_town") : t("place_town_first")}</option>
            {villages.map((p) => <option key={p.code} value={p.code}>{p.name}</option>)}
          </select>
        </div>
      </div>
    </fieldset>
  );
}
