// The API as schemas/openapi.yaml describes it: each call names its path template and method, and TypeScript
// knows its path parameters, its body and its answer from the types generated from that file
// (`npm run api-types` → src/api-schema.d.ts, run by the build). Calls go through api.ts (session, CSRF, errors).
import { api, sendYaml } from "./api";
import type { components, paths } from "./api-schema";

type Method = "get" | "post" | "put" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : never;
type Answer<O> = O extends { responses: infer R } ? JsonOf<R[Extract<keyof R, 200 | 201>]> : never;
type BodyOf<O> = O extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
type PathOf<O> = O extends { parameters: { path?: infer P } } ? (P extends Record<string, unknown> ? P : never) : never;

export type Schema<N extends keyof components["schemas"]> = components["schemas"][N];
export type User = Schema<"User">;
// What a call answers: Reply<"/api/v1/portal/categories", "get">.
export type Reply<P extends keyof paths, M extends Method> = Answer<Operation<P, M>>;
// What a call sends: Body<"/api/v1/petitions/{petition_id}/actions/{transition}", "post">.
export type Body<P extends keyof paths, M extends Method> = BodyOf<Operation<P, M>>;

interface Options<O> {
  path?: PathOf<O>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: BodyOf<O>;
}

// The address for a path template: "/api/v1/petitions/{petition_id}" with {petition_id: 7}.
export function address(template: string, path?: Record<string, unknown>, query?: Options<unknown>["query"]): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path?.[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, String(value));
  return search.size ? `${filled}?${search}` : filled;
}

export function call<P extends keyof paths, M extends Method>(
  method: M, template: P, options: Options<Operation<P, M>> = {},
): Promise<Answer<Operation<P, M>>> {
  return api(method.toUpperCase(), address(template as string, options.path as Record<string, unknown>, options.query), options.body);
}

// A call whose body is a YAML document (a workflow definition, a routing table, message texts).
export function callWithYaml<P extends keyof paths, M extends Method>(
  method: M, template: P, yaml: string,
): Promise<Answer<Operation<P, M>>> {
  return sendYaml(method.toUpperCase(), template as string, yaml);
}
