// A proxy (guardian, village cadre, federation staff) files on a petitioner's behalf, with the
// petitioner's consent recorded (how it was given); the case then shows on the proxy's own list.
import { useEffect, useState } from "preact/hooks";

import { ErrorSummary, FieldError, fieldError } from "../errors";
import { language, t } from "../i18n";
import { IntakeFields, IntakeLists, loadIntakeLists } from "../intake/fields";
import { filePetition } from "../intake/file_petition";
import { emptyIntake, identityProblems, IntakeForm, intakeBody, intakeIds, intakeProblems } from "../intake/form";
import { navigate } from "../router";
import { useSignal } from "../signal";

const prefix = "p";
const idOf = intakeIds(prefix);

export function ProxyFile() {
  useSignal(language);
  const [lists, setLists] = useState<IntakeLists | null>(null);
  const [form, setForm] = useState<IntakeForm>(emptyIntake);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadIntakeLists().then(setLists).catch(() => undefined);
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    // A proxy files as a visit on the petitioner's behalf: the ID number is checked as at the desk.
    const problems = intakeProblems(form, "walk_in", true);
    setErrors(problems);
    if (problems.length > 0) return;
    setBusy(true);
    try {
      const { filed } = await filePetition(intakeBody(form, "walk_in", true), form.files);
      navigate(`/petitions/${filed.id}`);
    } catch (err) {
      setErrors([fieldError(err)]);
    } finally {
      setBusy(false);
    }
  };
  const live = identityProblems(form).filter((p) => !errors.some((e) => e.field === p.field));
  return (
    <section aria-labelledby="proxy-title" class="card">
      <h1 id="proxy-title">{t("file_on_behalf")}</h1>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} idOf={idOf} />
        <IntakeFields prefix={prefix} form={form} setForm={setForm} errors={[...errors, ...live]} channel="walk_in"
                      lists={lists} filerIsProxy />
        <button type="submit" disabled={busy}>{busy ? t("submitting") : t("submit")}</button>
      </form>
    </section>
  );
}
