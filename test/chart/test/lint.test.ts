import { describe, expect, it } from "vitest";
import { lintChart } from "../src/helm";
import { scenarios, type Scenario } from "../src/paths";

describe("helm lint --strict", () => {
  for (const scenario of Object.keys(scenarios) as Scenario[]) {
    it(`passes with the ${scenario} values`, async () => {
      const output = await lintChart({ values: scenarios[scenario] });
      expect(output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});
