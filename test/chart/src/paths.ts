import path from "node:path";

/** The repository root (this package lives in test/chart). */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const chartDir = path.join(repoRoot, "charts", "fediflow");
export const deployDir = path.join(repoRoot, "deploy");

/** The values files the chart is rendered with in CI, by scenario. */
export const scenarios = {
  default: [],
  production: [path.join(deployDir, "values-production.yaml")],
  keda: [path.join(deployDir, "values-production.yaml"), path.join(deployDir, "values-keda.yaml")],
} as const satisfies Record<string, readonly string[]>;
export type Scenario = keyof typeof scenarios;
