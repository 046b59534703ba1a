// The intake form's fields, shared by the hotline console, the reception desk (walk-in and letter) and the
// proxy's filing page: the matter (type, category, urgency, subject, content, anonymity), the place with the
// routing suggestion, the petitioner (name, phone, ID and certificate checked as typed, address), the units a
// complaint is about, a walk-in's group and accompanying proxy, a letter's received date, and attachments.
import { useEffect, useState } from "preact/hooks";

import { call, Reply, Schema } from "../client";
import { FieldError, inlineError } from "../errors";
import { label, t } from "../i18n";
import { AttachmentPicker } from "./attachment_picker";
import { IntakeChannel, IntakeForm, intakeIds, Representative } from "./form";
import { certificateDisability } from "./identity";
import { PlacePicker } from "./place_picker";
import { RoutingHint } from "./routing_hint";

export type IntakeLists = Reply<"/api/v1/portal/categories", "get">;

// The lists the intake forms choose from.
export function loadIntakeLists(): Promise<IntakeLists> {
  return call("get", "/api/v1/portal/categories");
}

type UnitOption = Schema<"Unit">;

interface Props {
  prefix: string;
  form: IntakeForm;
  setForm: (form: IntakeForm) => void;
  errors: FieldError[];  // the submit's errors and the live ID checks
  channel: IntakeChannel;
  lists: IntakeLists | null;
  askPhone?: boolean;  // false when the call's number is the phone
  filerIsProxy?: boolean;  // a proxy files for the petitioner: only the consent is asked
  subjectRef?: preact.RefObject<HTMLInputElement>;
}

const complaintTypes = ["complaint", "report"];

// The units a complaint is about, chosen from the organisation tree (indented by level).
function ComplainedUnits({ id, chosen, onChange, error }: {
  id: string; chosen: string[]; onChange: (codes: string[]) => void; error: ReturnType<typeof inlineError>;
}) {
  const [units, setUnits] = useState<UnitOption[]>([]);
  const [pick, setPick] = useState("");
  useEffect(() => {
    call("get", "/api/v1/units").then((r) => setUnits(r.units)).catch(() => undefined);
  }, []);
  const name = (code: string) => units.find((u) => u.code === code)?.name ?? code;
  return (
    <div class="complained-units">
      <label for={id}>{t("field_complained_units")}</label>
      {error.message}
      <div class="inline-add">
        <select id={id} value={pick} onChange={(e) => setPick(e.currentTarget.value)} {...error.props}>
          <option value="">{t("choose")}</option>
          {units.filter((u) => !chosen.includes(u.code)).map((u) => (
            <option key={u.code} value={u.code}>{"　".repeat(Math.max(0, u.depth - 1))}{u.name}</option>
          ))}
        </select>
        <button type="button" disabled={!pick || chosen.length >= 10} onClick={() => { onChange([...chosen, pick]); setPick(""); }}>
          {t("add")}
        </button>
      </div>
      {chosen.length > 0 && (
        <ul class="plain" aria-label={t("field_complained_units")}>
          {chosen.map((code) => (
            <li key={code}>
              {name(code)}{" "}
              <button type="button" class="secondary" onClick={() => onChange(chosen.filter((c) => c !== code))}>
                {t("remove")}<span class="visually-hidden">：{name(code)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Representatives({ prefix, reps, onChange, errors }: {
  prefix: string; reps: Representative[]; onChange: (reps: Representative[]) => void; errors: FieldError[];
}) {
  const set = (i: number, field: keyof Representative, value: string) =>
    onChange(reps.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
  return (
    <fieldset>
      <legend>{t("representatives")}</legend>
      <p class="hint">{t("representatives_hint")}</p>
      {reps.map((rep, i) => {
        const base = `${prefix}-rep-${i}`;
        const nameE = inlineError(errors, `group.representatives[${i}].name`, `${base}-name`);
        const phoneE = inlineError(errors, `group.representatives[${i}].phone`, `${base}-phone`);
        const idE = inlineError(errors, `group.representatives[${i}].id_number`, `${base}-id`);
        const n = t("representative_n").replace("{n}", String(i + 1));
        return (
          <div key={i} class="representative" role="group" aria-label={n}>
            <label for={`${base}-name`}>{n} {t("name")} *</label>
            {nameE.message}
            <input id={`${base}-name`} value={rep.name} onInput={(e) => set(i, "name", e.currentTarget.value)} {...nameE.props} />
            <label for={`${base}-phone`}>{n} {t("phone")}</label>
            {phoneE.message}
            <input id={`${base}-phone`} type="tel" value={rep.phone} onInput={(e) => set(i, "phone", e.currentTarget.value)} {...phoneE.props} />
            <label for={`${base}-id`}>{n} {t("id_number")}</label>
            {idE.message}
            <input id={`${base}-id`} maxLength={18} value={rep.id_number} onInput={(e) => set(i, "id_number", e.currentTarget.value)} {...idE.props} />
            <button type="button" class="secondary" onClick={() => onChange(reps.filter((_, j) => j !== i))}>
              {t("remove")}<span class="visually-hidden">：{n}</span>
            </button>
          </div>
        );
      })}
      {reps.length < 5 && (
        <button type="button" onClick={() => onChange([...reps, { name: "", phone: "", id_number: "" }])}>{t("add_representative")}</button>
      )}
    </fieldset>
  );
}

function ConsentSelect({ id, value, onChange, error }: {
  id: string; value: string; onChange: (value: string) => void; error: ReturnType<typeof inlineError>;
}) {
  return (
    <>
      <label for={id}>{t("consent")} *</label>
      {error.message}
      <select id={id} required value={value} onChange={(e) => onChange(e.currentTarget.value)} {...error.props}>
        <option value="">{t("choose")}</option>
        {(["written", "verbal", "recorded_call", "electronic"] as const).map((m) => (
          <option key={m} value={m}>{t(`consent_${m}`)}</option>
        ))}
      </select>
    </>
  );
}

export function IntakeFields({ prefix, form, setForm, errors, channel, lists, askPhone = true, filerIsProxy = false,
                               subjectRef }: Props) {
  const id = (name: string) => `${prefix}-${name}`;
  const ids = intakeIds(prefix);
  const field = (name: string, hint?: string) => inlineError(errors, name, ids(name) ?? id(name), hint);
  const set = <K extends keyof IntakeForm>(key: K, value: IntakeForm[K]) => setForm({ ...form, [key]: value });
  const text = (key: keyof IntakeForm) => (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value as never);
  const subjectE = field("subject"), categoryE = field("category"), contentE = field("content"),
    nameE = field("petitioner.name"), phoneE = field("petitioner.phone"), idE = field("petitioner.id_number"),
    certE = field("petitioner.certificate_number", id("certificate-hint")), addressE = field("petitioner.address"),
    placeE = field("petitioner.unit"), complainedE = field("complaint.units"), groupE = field("group.size"),
    proxyNameE = field("proxy.name"), proxyPhoneE = field("proxy.phone"),
    consentE = inlineError(errors, errors.some((e) => e.field === "consent.method") ? "consent.method" : "consent", id("consent")),
    receivedE = field("received_at");
  const disability = certificateDisability(form.certificate_number);
  const walkIn = channel === "walk_in";
  const today = new Date().toLocaleDateString("sv-SE");  // yyyy-mm-dd, local

  return (
    <>
      <fieldset>
        <legend>{t("the_matter")}</legend>
        <label for={id("subject")}>{t("subject")} *</label>
        {subjectE.message}
        <input id={id("subject")} ref={subjectRef} required maxLength={200} value={form.subject} onInput={text("subject")} {...subjectE.props} />
        <div class="field-row">
          <div>
            <label for={id("type")}>{t("type")} *</label>
            <select id={id("type")} value={form.type} onChange={text("type")}>
              {lists?.types.map((type) => <option key={type} value={type}>{t(`type_${type}` as never) || type}</option>)}
            </select>
          </div>
          <div>
            <label for={id("category")}>{t("category")} *</label>
            {categoryE.message}
            <select id={id("category")} required value={form.category} onChange={text("category")} {...categoryE.props}>
              <option value="">{t("choose")}</option>
              {lists?.categories.map((c) => <option key={c.code} value={c.code}>{label(c.label)}</option>)}
            </select>
          </div>
          <div>
            <label for={id("urgency")}>{t("urgency")}</label>
            <select id={id("urgency")} value={form.urgency} onChange={text("urgency")}>
              {(lists?.urgencies ?? ["normal"]).map((u) => <option key={u} value={u}>{t(`urgency_${u}` as never) || u}</option>)}
            </select>
          </div>
        </div>
        <label for={id("content")}>{t("content")} *</label>
        {contentE.message}
        <textarea id={id("content")} required rows={4} value={form.content} onInput={text("content")} {...contentE.props} />
        <PlacePicker id={id("place")} value={form.place} onChange={(code) => set("place", code)} error={placeE.message}
                     errorProps={placeE.props} />
        <RoutingHint category={form.category} urgency={form.urgency} place={form.place} complained={form.complained} />
        {complaintTypes.includes(form.type) && (
          <ComplainedUnits id={id("complained")} chosen={form.complained} onChange={(codes) => set("complained", codes)}
                           error={complainedE} />
        )}
        {channel === "letter" && (
          <>
            <label for={id("received")}>{t("letter_received")} *</label>
            <p id={id("received-hint")} class="hint">{t("letter_received_hint")}</p>
            {receivedE.message}
            <input id={id("received")} type="date" required max={today} value={form.received_date} onInput={text("received_date")}
                   {...receivedE.props} aria-describedby={[id("received-hint"), receivedE.props["aria-describedby"]].filter(Boolean).join(" ")} />
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>{channel === "hotline" ? t("the_caller") : t("the_petitioner")}</legend>
        <label for={id("name")}>{t("name")}{walkIn ? " *" : ""}</label>
        {nameE.message}
        <input id={id("name")} autoComplete="off" value={form.name} onInput={text("name")} {...nameE.props} />
        {askPhone && (
          <>
            <label for={id("phone")}>{t("phone")}</label>
            {phoneE.message}
            <input id={id("phone")} type="tel" value={form.phone} onInput={text("phone")} {...phoneE.props} />
          </>
        )}
        <div class="field-row">
          <div>
            <label for={id("id")}>{t("id_number")}{walkIn ? " *" : ""}</label>
            {idE.message}
            <input id={id("id")} maxLength={18} autoComplete="off" value={form.id_number} onInput={text("id_number")} {...idE.props} />
          </div>
          <div>
            <label for={id("certificate")}>{t("certificate_number")}</label>
            <p id={id("certificate-hint")} class="hint">
              {disability
                ? `${t(`disability_type_${disability.type}` as never)}　${t(`disability_grade_${disability.grade}` as never)}`
                : t("certificate_hint")}
            </p>
            {certE.message}
            <input id={id("certificate")} maxLength={20} autoComplete="off" value={form.certificate_number}
                   onInput={text("certificate_number")} {...certE.props} />
          </div>
        </div>
        <label for={id("address")}>{t("address")}</label>
        {addressE.message}
        <input id={id("address")} maxLength={200} value={form.address} onInput={text("address")} {...addressE.props} />
        <label for={id("channel")}>{t("preferred_channel")}</label>
        <select id={id("channel")} value={form.preferred_channel} onChange={text("preferred_channel")}>
          <option value="sms">{t("channel_sms")}</option>
          <option value="phone">{t("channel_phone")}</option>
          <option value="none">{t("channel_none")}</option>
        </select>
        <label class="choice">
          <input id={id("anonymous")} type="checkbox" checked={form.anonymous} onChange={(e) => set("anonymous", e.currentTarget.checked)} />
          {t("anonymous_petition")}
        </label>
        <p class="hint">{t("anonymous_hint")}</p>
        {filerIsProxy && <ConsentSelect id={id("consent")} value={form.consent} onChange={(v) => set("consent", v)} error={consentE} />}
      </fieldset>

      {walkIn && !filerIsProxy && (
        <fieldset>
          <legend>{t("visit")}</legend>
          <label class="choice">
            <input type="checkbox" checked={form.group} onChange={(e) => setForm({ ...form, group: e.currentTarget.checked, representatives: e.currentTarget.checked ? form.representatives : [] })} />
            {t("group_visit")}
          </label>
          {form.group && (
            <>
              <label for={id("group-size")}>{t("group_size")} *</label>
              {groupE.message}
              <input id={id("group-size")} inputMode="numeric" value={form.group_size} onInput={text("group_size")} {...groupE.props} />
              <Representatives prefix={prefix} reps={form.representatives} onChange={(reps) => set("representatives", reps)} errors={errors} />
            </>
          )}
        </fieldset>
      )}
      {channel !== "hotline" && !filerIsProxy && (
        <fieldset>
          <legend>{t("accompanying_proxy")}</legend>
          <label class="choice">
            <input type="checkbox" checked={form.with_proxy} onChange={(e) => set("with_proxy", e.currentTarget.checked)} />
            {t("filed_by_proxy")}
          </label>
          {form.with_proxy && (
            <>
              <label for={id("proxy-name")}>{t("proxy_name")} *</label>
              {proxyNameE.message}
              <input id={id("proxy-name")} value={form.proxy_name} onInput={text("proxy_name")} {...proxyNameE.props} />
              <label for={id("proxy-relation")}>{t("proxy_relation")}</label>
              <input id={id("proxy-relation")} value={form.proxy_relation} onInput={text("proxy_relation")} />
              <label for={id("proxy-phone")}>{t("proxy_phone")}</label>
              {proxyPhoneE.message}
              <input id={id("proxy-phone")} type="tel" value={form.proxy_phone} onInput={text("proxy_phone")} {...proxyPhoneE.props} />
              <ConsentSelect id={id("consent")} value={form.consent} onChange={(v) => set("consent", v)} error={consentE} />
            </>
          )}
        </fieldset>
      )}
      <AttachmentPicker id={id("files")} files={form.files} onChange={(files) => set("files", files)} />
    </>
  );
}
