// The web app's download sizes, from the build's manifest (web-admin/dist/.vite/manifest.json): each chunk
// raw, gzip and brotli (the copies petitiond serves), and each page's first load — the entry, the page's
// chunk and everything they import statically, with the CSS. Run after `npm run build` in web-admin:
//   node bench/web_bundle.mjs
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const dist = new URL("../web-admin/dist/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const size = (file, suffix = "") => (existsSync(join(dist, file + suffix)) ? statSync(join(dist, file + suffix)).size : null);
const kB = (bytes) => (bytes === null ? "—" : (bytes / 1024).toFixed(1));

// The files a chunk brings with it: itself, its static imports, and their CSS.
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key].imports ?? []) closure(imported, seen);
  return seen;
}
function files(keys) {
  const out = new Set();
  for (const key of keys) {
    out.add(manifest[key].file);
    for (const css of manifest[key].css ?? []) out.add(css);
  }
  return [...out];
}
const compressed = (file) => size(file, ".gz") ?? size(file);

console.log("| chunk | raw kB | gzip kB | brotli kB |\n| --- | ---: | ---: | ---: |");
for (const [key, chunk] of Object.entries(manifest).sort((a, b) => size(b[1].file) - size(a[1].file)))
  console.log(`| ${chunk.name ?? key} | ${kB(size(chunk.file))} | ${kB(size(chunk.file, ".gz"))} | ${kB(size(chunk.file, ".br"))} |`);

const entry = "index.html";
const pages = Object.keys(manifest).filter((key) => key.startsWith("src/pages/") && manifest[key].isDynamicEntry);
console.log("\n| first load of | files | gzip kB (what Chromium gets over http) | brotli kB |\n| --- | ---: | ---: | ---: |");
for (const page of pages) {
  const keys = closure(page, closure(entry));
  const list = [...files(keys), "index.html"];
  const gzip = list.reduce((sum, f) => sum + compressed(f), 0);
  const brotli = list.reduce((sum, f) => sum + (size(f, ".br") ?? size(f)), 0);
  console.log(`| ${page.replace("src/pages/", "").replace(".tsx", "")} | ${list.length} | ${kB(gzip)} | ${kB(brotli)} |`);
}
