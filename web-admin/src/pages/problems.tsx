// What went wrong with an uploaded document: every problem the server found, each with its line, read out
// at once to screen readers.
import { ApiError } from "../api";
import { errorText } from "../errors";
import { t } from "../i18n";

export function Problems({ error }: { error: unknown }) {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  if (problems.length === 0) return <p role="alert" class="error">{errorText(error)}</p>;
  return (
    <div role="alert" class="error">
      <p>{t("problems_found").replace("{n}", String(problems.length))}</p>
      <ul class="problems">
        {problems.map((p, i) => (
          <li key={i}>{p.line ? `${t("line").replace("{n}", String(p.line))}：` : ""}{p.field && !p.line ? `${p.field}：` : ""}{p.message}</li>
        ))}
      </ul>
    </div>
  );
}

// Reads a chosen file into the text box, so an admin can upload what they edited elsewhere.
export function FileIntoText({ id, onText }: { id: string; onText: (text: string) => void }) {
  return (
    <>
      <label for={id}>{t("load_file")}</label>
      <input id={id} type="file" accept=".yaml,.yml,text/yaml"
             onChange={async (e) => {
               const file = e.currentTarget.files?.[0];
               if (file) onText(await file.text());
             }} />
    </>
  );
}
