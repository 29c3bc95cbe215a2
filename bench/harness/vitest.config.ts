import { defineConfig } from "vitest/config";

// The smoke run starts the whole stack and a fake fediverse: a minute, not milliseconds.
export default defineConfig({ test: { testTimeout: 240_000, hookTimeout: 240_000 } });
