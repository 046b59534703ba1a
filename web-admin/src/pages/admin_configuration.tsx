// The whole configuration as one YAML file: downloaded to start a second district or a test environment from
// the same set-up, and read in there — checked as a whole first, every problem listed, nothing changed until
// it passes.
import { useState } from "preact/hooks";

import { sendYaml } from "../api";
import { language, t } from "../i18n";
import { useSignal } from "../signal";
import { FileIntoText, Problems } from "./problems";

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
      const r = await sendYaml<{ imported: Record<string, unknown> }>("POST", "/api/v1/configuration", text);
      setDone(`${t("bundle_imported")}${JSON.stringify(r.imported)}`);
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
