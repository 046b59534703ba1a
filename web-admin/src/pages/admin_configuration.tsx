// The whole configuration as one YAML file: downloaded to start a second district or a test environment from
// the same set-up, and read in there — checked as a whole first, every problem listed, nothing changed until
// it passes.
import { useState } from "preact/hooks";

import { callWithYaml, Reply } from "../client";
import { language, t, WordKey } from "../i18n";
import { useSignal } from "../signal";
import { FileIntoText, Problems } from "./problems";

// What an import wrote, in words: "单位 3 个（写入 3 个）、设置 2 项、…".
function importedText(done: Reply<"/api/v1/configuration", "post">["imported"]): string {
  const n = (key: WordKey, values: Record<string, number>) =>
    Object.entries(values).reduce((text, [name, value]) => text.replace(`{${name}}`, String(value)), t(key));
  const parts = [
    done.units && n("bundle_units", { n: done.units.in_bundle, w: done.units.written }),
    n("bundle_settings", { n: done.settings }),
    n("bundle_calendar_years", { n: done.calendar_years }),
    n("bundle_workflows", { n: done.workflows_installed }),
    done.routing_version !== undefined && n("bundle_routing", { v: done.routing_version }),
    done.templates_version !== undefined && n("bundle_templates", { v: done.templates_version }),
  ];
  return parts.filter(Boolean).join(language.get() === "zh" ? "、" : ", ");
}

export function ConfigurationBundle() {
  useSignal(language);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone("");
    try {
      const r = await callWithYaml("post", "/api/v1/configuration", text);
      setDone(t("bundle_imported") + importedText(r.imported));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <p><a class="button" href="/api/v1/configuration" download="petitiond-configuration.yaml">{t("bundle_export")}</a></p>
      <p class="hint">{t("bundle_hint")}</p>
      <form onSubmit={submit}>
        <FileIntoText id="bundle-file" onText={setText} />
        <label for="bundle-yaml">{t("bundle_yaml")}</label>
        <textarea id="bundle-yaml" rows={6} spellcheck={false} wrap="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">{t("bundle_import")}</button>
      </form>
      <Problems error={error} />
      {done && <p role="status">{done}</p>}
    </>
  );
}
