import { defineConfig } from "vitest/config";

// The example's test runs the real FediFlow stack (processes, Kafka, PostgreSQL, Redis) beside it.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    globalSetup: ["../../tools/kafka/dist/vitest-global-setup.js"],
  },
});
