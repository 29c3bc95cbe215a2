import { defineConfig } from "vitest/config";

// Each helm run takes a fraction of a second; the production-install check copies and links a
// few hundred packages. Generous limits absorb a busy two-core machine without hiding a hang.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The image's `topics` command runs against the test run's Kafka (or one started here).
    globalSetup: ["../../tools/kafka/dist/vitest-global-setup.js"],
  },
});
