// Errors people can act on (the GOV.UK pattern): each told in the reader's language from the server's `code`
// and `field`, next to the field it concerns, and listed in a summary at the top of the form whose links
// take the focus to the field. Chinese readers get our own words for what a field expects; English readers
// the server's own message, which is written in English.
import { useEffect, useRef } from "preact/hooks";

import { ApiError } from "./api";
import { language, t, type WordKey } from "./i18n";

// The API's field names as people read them.
const fieldWords: Record<string, WordKey> = {
  subject: "subject",
  content: "content",
  category: "category",
  type: "type",
  urgency: "urgency",
  channel: "field_channel",
  place: "field_place",
  anonymous: "field_anonymous",
  "petitioner.name": "name",
  "petitioner.phone": "phone",
  "petitioner.id_number": "id_number",
  "petitioner.certificate_number": "certificate_number",
  "petitioner.email": "email",
  "petitioner.address": "address",
  "petitioner.preferred_channel": "preferred_channel",
  "petitioner.unit": "field_place",
  consent: "consent",
  "consent.method": "consent",
  "consent.at": "consent",
  "complaint.units": "field_complained_units",
  "group.size": "field_group_size",
  "group.representatives": "representatives",
  "proxy.name": "proxy_name",
  "proxy.relation": "proxy_relation",
  "proxy.phone": "proxy_phone",
  received_at: "field_received_at",
  tracking_code: "tracking_code",
  phone_last4: "phone_last4",
  login: "login_name",
  password: "password",
  current_password: "current_password",
  new_password: "new_password",
  confirm_password: "confirm_password",
  email: "email",
  quiet_hours: "quiet_hours",
  "quiet_hours.from": "quiet_from",
  "quiet_hours.until": "quiet_until",
  reason: "field_reason",
  reply: "field_reply",
  outcome: "field_outcome",
  unit: "field_unit",
  days: "field_days",
  hours: "field_hours",
  satisfaction: "field_satisfaction",
  comment: "field_comment",
  parent: "field_parent",
  contribution: "field_contribution",
  complained_units: "field_complained_units",
  co_units: "field_co_units",
  body: "field_body",
  reference: "field_reference",
  date: "field_date",
  // Settings (the value's parts).
  "value.url": "sms_url",
  "value.token": "sms_token",
  "value.body": "sms_body",
  "value.inbound_token": "sms_inbound_token",
  "value.host": "smtp_host",
  "value.port": "smtp_port",
  "value.security": "smtp_security",
  "value.from": "smtp_from",
  "value.from_name": "smtp_from_name",
  "value.password": "password",
};

// What a field expects, said when the server refuses its value.
const fieldRules: Record<string, WordKey> = {
  subject: "rule_subject",
  content: "rule_content",
  category: "rule_choose",
  type: "rule_choose",
  urgency: "rule_choose",
  "petitioner.name": "rule_name",
  "petitioner.phone": "rule_phone",
  "petitioner.id_number": "rule_id_number",
  "petitioner.certificate_number": "rule_certificate_number",
  "petitioner.email": "rule_email",
  "petitioner.unit": "rule_unit",
  "proxy.phone": "rule_phone",
  "complaint.units": "rule_units",
  "group.size": "rule_group_size",
  received_at: "rule_received_at",
  email: "rule_email",
  current_password: "rule_current_password",
  new_password: "rule_new_password",
  quiet_hours: "rule_quiet_hours",
  consent: "rule_consent",
  "consent.method": "rule_consent",
  tracking_code: "rule_tracking_code",
  phone_last4: "rule_phone_last4",
  unit: "rule_unit",
  place: "rule_unit",
  complained_units: "rule_units",
  co_units: "rule_units",
  days: "rule_days",
  hours: "rule_days",
  satisfaction: "rule_choose",
  outcome: "rule_choose",
};

// Failures that are about no one field, by code.
const codeWords: Record<string, WordKey> = {
  rate_limited: "error_rate_limited",
  unavailable: "error_unavailable",
  timeout: "error_unavailable",
  insufficient_storage: "error_insufficient_storage",
  internal: "error_internal",
  unauthorized: "error_unauthorized",
  forbidden: "error_forbidden",
  payload_too_large: "error_payload_too_large",
  not_found: "error_not_found",
  conflict: "error_conflict",
};

// Failures of one field that say more than their code: "code:field".
const codeFieldWords: Record<string, WordKey> = {
  "unavailable:q": "error_search_building",
};

// A field as people read it: its name, or for an entry of a list ("value[1]", "[0].text") which entry.
export function fieldName(field: string): string {
  const word = fieldWords[field];
  if (word) return t(word);
  const entry = /\[(\d+)\]/.exec(field);
  if (entry) return t("field_entry").replace("{n}", String(Number(entry[1]) + 1));
  return field;
}

const isKnown = (field: string) => fieldWords[field] !== undefined || /\[\d+\]/.test(field);

export interface FieldError {
  field: string | null;  // the API's field name; null for the form as a whole
  message: string;
}

// A failed call as one error, in the reader's language.
export function fieldError(err: unknown): FieldError {
  if (!(err instanceof ApiError)) return { field: null, message: t("error_network") };
  const english = language.get() === "en";
  if (err.code === "invalid_field" && err.field) {
    const known = isKnown(err.field);
    if (english) return { field: err.field, message: `${fieldName(err.field)}: ${err.message}` };
    const rule = fieldRules[err.field];
    return {
      field: err.field,
      message: known ? `${fieldName(err.field)}：${rule ? t(rule) : t("rule_check")}` : t("error_invalid"),
    };
  }
  const special = err.code && err.field ? codeFieldWords[`${err.code}:${err.field}`] : undefined;
  if (special) return { field: err.field ?? null, message: t(special) };
  // In English the server's own words say more about what was not found or changed meanwhile.
  const serverSaysMore = english && (err.code === "not_found" || err.code === "conflict");
  const word = err.code && !serverSaysMore ? codeWords[err.code] : undefined;
  if (word) return { field: err.field ?? null, message: t(word) };
  if (english) return { field: err.field ?? null, message: err.message };
  return { field: err.field ?? null, message: t("error_invalid") };
}

// The same as one line of text, for forms without fields of their own.
export function errorText(err: unknown): string {
  return fieldError(err).message;
}

// "Enter the subject" for each required field left empty, in the order given.
export function missingFields(values: Record<string, string | undefined>, required: string[]): FieldError[] {
  return required
    .filter((field) => !values[field]?.trim())
    .map((field) => ({ field, message: t("rule_required").replace("{field}", fieldName(field)) }));
}

// The summary at the top of a form: focused when it appears, so a screen reader reads it at once; each
// problem links to its field.
export function ErrorSummary({ errors, idOf }: { errors: FieldError[]; idOf: (field: string) => string | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) box.current?.focus();
  }, [errors]);
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{t("error_summary_title")}</h2>
      <ul>
        {errors.map((e, i) => {
          const id = e.field ? idOf(e.field) : undefined;
          return (
            <li key={i}>
              {id ? (
                <a href={`#${id}`} onClick={(ev) => { ev.preventDefault(); document.getElementById(id)?.focus(); }}>{e.message}</a>
              ) : e.message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// The message beside a field, and the attributes that tie it to the field (after its hint, if it has one).
export function inlineError(errors: FieldError[], field: string, id: string, hint?: string) {
  const found = errors.find((e) => e.field === field);
  const describedBy = [hint, found ? `${id}-error` : undefined].filter(Boolean).join(" ");
  return {
    message: found ? <p id={`${id}-error`} class="error-message">{found.message}</p> : null,
    props: { "aria-invalid": found ? (true as const) : undefined, "aria-describedby": describedBy || undefined },
  };
}
