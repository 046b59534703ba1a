// The intake form's state, the request body it makes for each channel, and what it must have before it is sent.
// One model for the hotline console, the reception desk (walk-in and letter) and the proxy's filing page.
import { Schema } from "../client";
import { FieldError, fieldName, missingFields } from "../errors";
import { t } from "../i18n";
import { certificateProblem, idNumberProblem } from "./identity";

export type IntakeChannel = "hotline" | "walk_in" | "letter";

export interface Representative {
  name: string;
  phone: string;
  id_number: string;
}

export interface IntakeForm {
  type: string;
  category: string;
  urgency: string;
  subject: string;
  content: string;
  name: string;
  phone: string;
  id_number: string;
  certificate_number: string;
  address: string;
  place: string;  // a town's or village's code
  anonymous: boolean;
  preferred_channel: string;
  complained: string[];  // unit codes
  files: File[];
  group: boolean;
  group_size: string;
  representatives: Representative[];
  with_proxy: boolean;  // an accompanying proxy (a guardian, a relative) files with the petitioner's consent
  proxy_name: string;
  proxy_relation: string;
  proxy_phone: string;
  consent: string;  // how the petitioner consented: written | verbal | recorded_call | electronic
  received_date: string;  // a letter's or late-registered visit's day of arrival, yyyy-mm-dd
}

export const emptyIntake: IntakeForm = {
  type: "help", category: "", urgency: "normal", subject: "", content: "", name: "", phone: "", id_number: "",
  certificate_number: "", address: "", place: "", anonymous: false, preferred_channel: "sms", complained: [],
  files: [], group: false, group_size: "", representatives: [], with_proxy: false, proxy_name: "",
  proxy_relation: "", proxy_phone: "", consent: "", received_date: "",
};

// The ids of a form's inputs by the API's field names ("petitioner.id_number" → "walkin-id").
export function intakeIds(prefix: string): (field: string) => string | undefined {
  const ids: Record<string, string> = {
    subject: "subject", type: "type", category: "category", urgency: "urgency", content: "content",
    anonymous: "anonymous", "petitioner.name": "name", "petitioner.phone": "phone", "petitioner.id_number": "id",
    "petitioner.certificate_number": "certificate", "petitioner.address": "address", "petitioner.unit": "place-town",
    "petitioner.preferred_channel": "channel", "complaint.units": "complained", "group.size": "group-size",
    "group.representatives": "group-size", "proxy.name": "proxy-name", "proxy.relation": "proxy-relation",
    "proxy.phone": "proxy-phone", consent: "consent", "consent.method": "consent", "consent.at": "consent",
    received_at: "received", reply: "reply",
  };
  return (field) => {
    const rep = /^group\.representatives\[(\d+)\]\.(name|phone|id_number)$/.exec(field);
    if (rep) return `${prefix}-rep-${rep[1]}-${rep[2] === "id_number" ? "id" : rep[2]}`;
    return ids[field] ? `${prefix}-${ids[field]}` : undefined;
  };
}

// The problems the desk can see before sending: what is still empty, and ID or certificate numbers that
// cannot be right.
export function intakeProblems(form: IntakeForm, channel: IntakeChannel, filerIsProxy = false): FieldError[] {
  const values: Record<string, string> = {
    subject: form.subject, category: form.category, content: form.content, "petitioner.name": form.name,
    "petitioner.id_number": form.id_number, "proxy.name": form.proxy_name, "consent.method": form.consent,
    "group.size": form.group_size, received_at: form.received_date,
  };
  const required = ["subject", "category", "content"];
  if (channel === "walk_in") required.push("petitioner.name", "petitioner.id_number");
  if (channel === "letter") required.push("received_at");
  if (form.with_proxy) required.push("proxy.name", "consent.method");
  if (filerIsProxy) required.push("consent.method");
  if (channel === "walk_in" && form.group) required.push("group.size");
  const problems = missingFields(values, required);
  problems.push(...identityProblems(form));
  form.representatives.forEach((rep, i) => {
    if (!rep.name.trim())
      problems.push({ field: `group.representatives[${i}].name`, message: t("rule_required").replace("{field}", t("representative_n").replace("{n}", String(i + 1))) });
    const id = idNumberProblem(rep.id_number);
    if (id) problems.push({ field: `group.representatives[${i}].id_number`, message: `${t("representative_n").replace("{n}", String(i + 1))}：${t(id)}` });
  });
  return problems;
}

// The ID and certificate numbers' problems, shown beside them while they are typed.
export function identityProblems(form: IntakeForm): FieldError[] {
  const out: FieldError[] = [];
  const id = idNumberProblem(form.id_number);
  if (id) out.push({ field: "petitioner.id_number", message: `${fieldName("petitioner.id_number")}：${t(id)}` });
  const certificate = certificateProblem(form.certificate_number, form.id_number);
  if (certificate)
    out.push({ field: "petitioner.certificate_number", message: `${fieldName("petitioner.certificate_number")}：${t(certificate)}` });
  return out;
}

const trimmed = (value: string) => value.trim() || undefined;

// The body of POST /api/v1/petitions for this channel.
type NewPetition = Schema<"NewPetition">;
type Petitioner = NonNullable<NewPetition["petitioner"]>;
type ConsentMethod = NonNullable<NewPetition["consent"]>["method"];

// The form as the API takes it. Choices are sent as chosen and checked by the server, which names the field
// of any it refuses; so is a head count that is not a number (sent as typed, for its error).
export function intakeBody(form: IntakeForm, channel: IntakeChannel, filerIsProxy = false): NewPetition {
  const petitioner: Petitioner = {
    name: trimmed(form.name), phone: trimmed(form.phone), id_number: trimmed(form.id_number)?.toUpperCase(),
    certificate_number: trimmed(form.certificate_number)?.toUpperCase(), address: trimmed(form.address),
    unit: form.place || undefined, preferred_channel: form.preferred_channel as Petitioner["preferred_channel"],
  };
  const body: NewPetition = {
    channel, type: form.type, category: form.category, urgency: form.urgency, subject: form.subject.trim(),
    content: form.content.trim(), anonymous: form.anonymous, petitioner,
  };
  if (form.complained.length > 0) body.complaint = { units: form.complained };
  if (channel === "walk_in" && form.group) {
    const size = form.group_size.trim();
    body.group = {
      size: (/^\d+$/.test(size) ? Number(size) : size) as number,
      representatives: form.representatives.map((r) => ({
        name: r.name.trim(), phone: trimmed(r.phone), id_number: trimmed(r.id_number)?.toUpperCase(),
      })),
    };
  }
  const consent = { method: form.consent as ConsentMethod };
  if (filerIsProxy) body.consent = consent;
  else if (form.with_proxy) {
    body.proxy = { name: form.proxy_name.trim(), relation: trimmed(form.proxy_relation), phone: trimmed(form.proxy_phone) };
    body.consent = consent;
  }
  if (channel === "letter" && form.received_date) body.received_at = form.received_date;
  return body;
}
