// The reception desk: a visitor registered at the desk (channel walk_in: ID number checked, a group visit's head
// count and up to five representatives, an accompanying proxy with the petitioner's consent), or a letter
// registered from the post (channel letter, with the day it arrived, from which its time limits count).
import { useEffect, useRef, useState } from "preact/hooks";

import { ErrorSummary, FieldError, fieldError } from "../errors";
import { language, t } from "../i18n";
import { UploadReport, UploadResult } from "../intake/attachment_picker";
import { IntakeFields, IntakeLists, loadIntakeLists } from "../intake/fields";
import { Filed, filePetition } from "../intake/file_petition";
import { emptyIntake, identityProblems, IntakeChannel, IntakeForm, intakeBody, intakeIds, intakeProblems } from "../intake/form";
import { printReceipt } from "../receipt";
import { navigate } from "../router";
import { useSignal } from "../signal";

type Desk = "walk_in" | "letter";

function deskFromUrl(): Desk {
  return new URLSearchParams(location.search).get("form") === "letter" ? "letter" : "walk_in";
}

export function Reception() {
  useSignal(language);
  const [desk, setDesk] = useState<Desk>(deskFromUrl);
  const [lists, setLists] = useState<IntakeLists | null>(null);
  const [form, setForm] = useState<IntakeForm>(emptyIntake);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [filed, setFiled] = useState<Filed | null>(null);
  const [uploads, setUploads] = useState<UploadResult[]>([]);
  const [busy, setBusy] = useState(false);
  const done = useRef<HTMLDivElement>(null);
  const prefix = desk === "letter" ? "letter" : "walkin";
  const idOf = intakeIds(prefix);

  useEffect(() => {
    loadIntakeLists().then(setLists).catch(() => undefined);
  }, []);
  useEffect(() => {
    if (filed) done.current?.focus();
  }, [filed]);

  const choose = (next: Desk) => {
    setDesk(next);
    setErrors([]);
    history.replaceState(null, "", next === "letter" ? "/reception?form=letter" : "/reception");
  };
  const channel: IntakeChannel = desk;
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems = intakeProblems(form, channel);
    setErrors(problems);
    if (problems.length > 0) return;
    setBusy(true);
    try {
      const result = await filePetition(intakeBody(form, channel), form.files);
      setUploads(result.uploads);
      setFiled(result.filed);
    } catch (err) {
      setErrors([fieldError(err)]);
    } finally {
      setBusy(false);
    }
  };
  const next = () => {
    setFiled(null);
    setUploads([]);
    setErrors([]);
    setForm(emptyIntake);
  };
  const live = identityProblems(form).filter((p) => !errors.some((e) => e.field === p.field));

  return (
    <>
      <h1>{t("reception")}</h1>
      {filed ? (
        <div class="card" ref={done} tabIndex={-1} role="status">
          <p class="success">{t("submitted")} <strong class="code">{filed.tracking_code}</strong></p>
          <UploadReport results={uploads} />
          <div class="actions">
            <button type="button" onClick={() => printReceipt(filed.id)}>{t("print_receipt")}</button>
            <a href={`/petitions/${filed.id}`} onClick={(e) => { e.preventDefault(); navigate(`/petitions/${filed.id}`); }}>{t("open")}</a>
            <button type="button" onClick={next}>{t("next_intake")}</button>
          </div>
        </div>
      ) : (
        <section class="card" aria-labelledby="reception-form-title">
          <fieldset class="segmented">
            <legend id="reception-form-title">{t("reception_kind")}</legend>
            {(["walk_in", "letter"] as const).map((kind) => (
              <label key={kind} class="choice">
                <input type="radio" name="reception-kind" checked={desk === kind} onChange={() => choose(kind)} />
                {t(kind === "walk_in" ? "reception_walk_in" : "reception_letter")}
              </label>
            ))}
          </fieldset>
          <form onSubmit={submit} noValidate key={desk}>
            <ErrorSummary errors={errors} idOf={idOf} />
            <IntakeFields prefix={prefix} form={form} setForm={setForm} errors={[...errors, ...live]} channel={channel} lists={lists} />
            <div class="actions">
              <button type="submit" disabled={busy}>{busy ? t("submitting") : t("file")}</button>
              <button type="button" class="secondary" onClick={next}>{t("clear_form")}</button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
