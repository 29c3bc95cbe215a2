import { defineConfig } from "vitest/config";

// The consumer tests run against Apache Kafka (the run's shared cluster, or one started for this
// package): joining a group takes seconds.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000, globalSetup: ["../../tools/kafka/dist/vitest-global-setup.js"] },
});
