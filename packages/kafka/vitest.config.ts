import { defineConfig } from "vitest/config";

// The consumer tests run against a real (mock-cluster) broker: joining a group takes seconds.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
