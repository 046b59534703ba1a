// Calls to petitiond's API: JSON in and out, the session cookie, and the CSRF token on writes.
let csrf = "";

// One of the problems the server found in an uploaded document, with its line.
export interface Problem {
  message: string;
  field: string | null;
  line: number | null;
}

export class ApiError extends Error {
  constructor(public status: number, message: string, public field?: string, public code?: string,
              public problems: Problem[] = []) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

// A YAML document as the request body (a workflow definition, a routing table, message texts).
export function sendYaml<T>(method: string, path: string, text: string): Promise<T> {
  return send<T>(method, path, { "Content-Type": "application/yaml" }, text);
}

// A file as the request body, with its own content type (attachments).
export function upload<T>(path: string, file: File): Promise<T> {
  return send<T>("POST", path, { "Content-Type": file.type || "application/octet-stream" }, file);
}

async function send<T>(method: string, path: string, headers: Record<string, string>, body?: BodyInit): Promise<T> {
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok)
    throw new ApiError(response.status, json?.error?.message ?? response.statusText, json?.error?.field, json?.error?.code,
                       json?.error?.problems ?? []);
  if (json && typeof json.csrf_token === "string") csrf = json.csrf_token;
  return json as T;
}

// The signed-in user, as GET /api/v1/auth/session answers it.
export type { User } from "./client";
