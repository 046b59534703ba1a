// The resident ID number (GB 11643: birth date and check character) and the disability certificate number (the
// ID number and two digits: type 1–7, grade 1–4) checked as they are typed, by the same rules as the server's
// workflow/identity.cpp, so a desk hears of a mistyped digit before filing.
import type { WordKey } from "../i18n";

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checks = "10X98765432";

// What is wrong with an ID number, or null; an unfinished number is not judged until it has 18 characters.
export function idNumberProblem(id: string): WordKey | null {
  const value = id.trim().toUpperCase();
  if (value.length === 0) return null;
  if (!/^\d{17}[\dX]$/.test(value)) return value.length < 18 && /^\d*$/.test(value) ? null : "id_not_18";
  const year = Number(value.slice(6, 10)), month = Number(value.slice(10, 12)), day = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 2100 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return "id_bad_birth_date";
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * weights[i];
  return checks[sum % 11] === value[17] ? null : "id_bad_check_digit";
}

// The type and grade a certificate number carries, or what is wrong with it (given the ID number typed).
export function certificateProblem(certificate: string, idNumber: string): WordKey | null {
  const value = certificate.trim().toUpperCase();
  if (value.length === 0) return null;
  if (value.length < 20 && /^[\dX]*$/.test(value)) return null;
  if (!/^\d{17}[\dX][1-7][1-4]$/.test(value)) return "certificate_shape";
  if (idNumberProblem(value.slice(0, 18))) return "certificate_id_part";
  const id = idNumber.trim().toUpperCase();
  if (id.length === 18 && value.slice(0, 18) !== id) return "certificate_not_this_id";
  return null;
}

export interface Disability {
  type: number;   // 1 视力 … 7 多重
  grade: number;  // 1 to 4
}

export function certificateDisability(certificate: string): Disability | null {
  const value = certificate.trim().toUpperCase();
  if (value.length !== 20 || certificateProblem(value, "")) return null;
  return { type: Number(value[18]), grade: Number(value[19]) };
}
