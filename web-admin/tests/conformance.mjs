// Every answer the browser test receives from a route whose answer schemas/openapi.yaml describes is checked
// against that schema (Ajv; OpenAPI 3.0's `nullable` is Ajv's own keyword), so the types the web app is built
// on (src/api-schema.d.ts, generated from the same file) are what the server sends.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parse } from "yaml";

// OpenAPI 3.0 writes a nullable reference as {allOf: [{$ref}], nullable: true}; Ajv takes `nullable` only beside
// a `type`, so such a schema becomes {anyOf: [{allOf: …}, {type: "null"}]}.
function nullableWithoutType(node) {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableWithoutType(v)]));
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

export function conformanceChecker(specPath) {
  const spec = nullableWithoutType(parse(readFileSync(specPath, "utf8")));
  const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false, allErrors: true });
  ajv.addSchema(spec, "openapi");
  const templates = Object.keys(spec.paths)
    .map((template) => ({
      template,
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "[^/]+")}$`),
    }))
    .sort((a, b) => a.params - b.params);
  const pointer = (part) => part.replace(/~/g, "~0").replace(/\//g, "~1");
  const checked = new Set();
  const problems = [];
  const pending = [];

  // One answer: its address, method, status and parsed JSON body (read only when a schema describes it).
  async function check(url, method, status, readBody) {
    if (!url.pathname.startsWith("/api/")) return;
    const found = templates.find((t) => t.pattern.test(url.pathname));
    const schema = found && spec.paths[found.template][method]?.responses?.[status]?.content?.["application/json"]?.schema;
    if (!schema) return;
    let body;
    try {
      body = await readBody();
    } catch {
      return;  // a page closed before its answer was read
    }
    let validate;
    try {
      validate = ajv.getSchema(
        `openapi#/paths/${pointer(found.template)}/${method}/responses/${status}/content/${pointer("application/json")}/schema`);
    } catch (e) {
      problems.push(`${method.toUpperCase()} ${found.template} ${status}: the schema does not compile (${e.message})`);
      return;
    }
    checked.add(`${method.toUpperCase()} ${found.template} ${status}`);
    if (!validate(body))
      problems.push(`${method.toUpperCase()} ${url.pathname} ${status}: ${ajv.errorsText(validate.errors)}`);
  }

  return {
    // Watches every page of the context.
    watch(context) {
      context.on("response", (response) => pending.push(check(
        new URL(response.url()), response.request().method().toLowerCase(), String(response.status()), () => response.json())));
    },
    // An answer the test fetched itself (its body already parsed).
    fetched(address, method, status, body) {
      pending.push(check(new URL(address), method.toLowerCase(), String(status), async () => body));
    },
    async result() {
      await Promise.allSettled(pending);
      return { checked: [...checked].sort(), problems };
    },
  };
}
