// Files chosen to go with a petition, sent one by one after it is registered (the petition exists first, so a
// failed upload never loses the petition); each file's result is reported.
import { upload } from "../api";
import { errorText } from "../errors";
import { t } from "../i18n";

export const acceptedFiles = ".pdf,.jpg,.jpeg,.png,.mp3,.wav,.amr,.docx,.txt";

export function AttachmentPicker({ id, files, onChange }: { id: string; files: File[]; onChange: (files: File[]) => void }) {
  return (
    <div class="attachment-picker">
      <label for={id}>{t("attachments")}</label>
      <p id={`${id}-hint`} class="hint">{t("attachment_hint")}</p>
      <input id={id} type="file" multiple accept={acceptedFiles} aria-describedby={`${id}-hint`}
             onChange={(e) => {
               const chosen = Array.from(e.currentTarget.files ?? []);
               onChange([...files, ...chosen.filter((f) => !files.some((g) => g.name === f.name && g.size === f.size))]);
               e.currentTarget.value = "";
             }} />
      {files.length > 0 && (
        <ul class="plain" aria-label={t("attachments_chosen")}>
          {files.map((file, i) => (
            <li key={`${file.name}-${i}`}>
              {file.name}（{Math.max(1, Math.round(file.size / 1024))} KB）{" "}
              <button type="button" class="secondary" onClick={() => onChange(files.filter((_, j) => j !== i))}>
                {t("remove")}<span class="visually-hidden">：{file.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface UploadResult {
  name: string;
  error: string | null;  // in the reader's language; null when stored
}

// Sends each file to `url` (…/attachments, or the portal's upload link) with its name; never throws.
export async function uploadFiles(url: string, files: File[]): Promise<UploadResult[]> {
  const results: UploadResult[] = [];
  for (const file of files) {
    try {
      await upload(`${url}?name=${encodeURIComponent(file.name)}`, file);
      results.push({ name: file.name, error: null });
    } catch (err) {
      results.push({ name: file.name, error: errorText(err) });
    }
  }
  return results;
}

export function UploadReport({ results }: { results: UploadResult[] }) {
  if (results.length === 0) return null;
  const failed = results.filter((r) => r.error);
  return (
    <div role={failed.length > 0 ? "alert" : "status"}>
      <p>{t("files_attached").replace("{n}", String(results.length - failed.length))}</p>
      {failed.length > 0 && (
        <ul class="error">
          {failed.map((r) => <li key={r.name}>{r.name}：{r.error}</li>)}
        </ul>
      )}
    </div>
  );
}
