import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// A static bundle ingress serves at /console: no CDN, no inline script (the page's CSP allows
// only its own origin), and the client compiled from its source rather than its CommonJS build.
export default defineConfig({
  base: "/console/",
  plugins: [preact()],
  resolve: { alias: { "@fediflow/client": fileURLToPath(new URL("../client/src/index.ts", import.meta.url)) } },
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0, sourcemap: true },
});
