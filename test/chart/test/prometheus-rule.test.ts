import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderChart } from "../src/helm";
import { ofKind } from "../src/manifests";
import { repoRoot } from "../src/paths";

const run = promisify(execFile);
const enabled = { setTyped: { "monitoring.prometheusRule.enabled": true } };

interface Rule {
  alert: string;
  expr: string;
  annotations: { runbook_url: string };
}

const rulesOf = async () => {
  const [rule] = ofKind(await renderChart(enabled), "PrometheusRule");
  return (rule!.spec as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
};

// Anchors as GitHub makes them from docs/operations.md's headings.
const anchors = async () =>
  new Set(
    (await readFile(path.join(repoRoot, "docs", "operations.md"), "utf8"))
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) =>
        line
          .replace(/^#+\s*/, "")
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, "")
          .replace(/ /g, "-"),
      ),
  );

describe("PrometheusRule", () => {
  it("is off by default", async () => {
    expect(ofKind(await renderChart(), "PrometheusRule")).toEqual([]);
  });

  it("alerts on every failure the runbook covers, each linking its section", async () => {
    const rules = (await rulesOf()).flatMap((group) => group.rules);
    expect([...new Set(rules.map((rule) => rule.alert))].sort()).toEqual([
      "FediFlowConsumerGroupEmpty",
      "FediFlowDeliveredShareFalling",
      "FediFlowDeliveryLag",
      "FediFlowHostsDyingInBulk",
      "FediFlowMessagesQuarantined",
      "FediFlowParkedGrowing",
      "FediFlowRelayBacklog",
      "FediFlowSignaturesRejected",
      "FediFlowStorageUnreachable",
    ]);
    const sections = await anchors();
    for (const rule of rules) {
      const anchor = rule.annotations.runbook_url.split("#")[1]!;
      expect(sections.has(anchor), `${rule.alert}: docs/operations.md has no section #${anchor}`).toBe(true);
    }
  });

  it("passes promtool's unit tests against synthetic series", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "fediflow-promtool-"));
    try {
      await writeFile(path.join(work, "rules.yaml"), stringify({ groups: await rulesOf() }));
      await copyFile(path.join(repoRoot, "test", "chart", "promtool", "alerts.test.yaml"), path.join(work, "alerts.test.yaml"));
      // promtool comes from Debian's prometheus package (scripts/setup.sh installs it).
      const check = await run("promtool", ["check", "rules", "rules.yaml"], { cwd: work });
      expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
      const tested = await run("promtool", ["test", "rules", "alerts.test.yaml"], { cwd: work }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`promtool test rules failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
        },
      );
      expect(tested.stdout).toContain("SUCCESS");
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
