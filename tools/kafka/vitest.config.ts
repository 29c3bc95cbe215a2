import { defineConfig } from "vitest/config";

// Starting a broker JVM and joining groups takes seconds on two cores.
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } });
