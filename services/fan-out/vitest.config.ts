import { defineConfig } from "vitest/config";

// Integration tests use the machine's PostgreSQL (a million followers are seeded once) and Redis.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 180_000 } });
