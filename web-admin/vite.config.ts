import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Built to dist/, which petitiond serves (--web-root). `npm run dev` proxies the API to a local petitiond.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", sourcemap: true, manifest: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
