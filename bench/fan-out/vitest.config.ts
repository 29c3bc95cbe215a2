import { defineConfig } from "vitest/config";

// The smoke run starts a broker and the fan-out service: seconds, not milliseconds.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });
