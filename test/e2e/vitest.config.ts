import { defineConfig } from "vitest/config";

// Each file starts its own stack (processes, database, a Kafka namespace on the run's shared
// cluster); running files one at a time keeps two cores from being shared by several stacks.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    globalSetup: ["../../tools/kafka/dist/vitest-global-setup.js"],
  },
});
