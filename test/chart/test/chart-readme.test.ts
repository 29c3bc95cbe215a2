import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chartReadme, valueRows } from "../src/values-readme";
import { chartDir } from "../src/paths";

const intro = `# FediFlow Helm chart

Deploys FediFlow's five services (ingress, outbox, fan-out, delivery, host-health) with their
Services, autoscaling (HPA or KEDA), disruption budgets, network policies, the migrations and
topics Jobs, and optionally Strimzi KafkaTopic and KafkaUser objects, a ServiceMonitor, a
PrometheusRule and the Grafana dashboard. \`docs/install.md\` in the repository walks through a
production install; \`deploy/values-production.yaml\` is a complete example.

\`\`\`sh
helm install fediflow charts/fediflow -n fediflow -f deploy/values-production.yaml
helm test fediflow -n fediflow
\`\`\`
`;

describe("the chart's README", () => {
  it("is values.yaml's table, up to date (FEDIFLOW_WRITE_CHART_README=1 rewrites it)", async () => {
    const values = await readFile(path.join(chartDir, "values.yaml"), "utf8");
    const expected = chartReadme(values, intro);
    const file = path.join(chartDir, "README.md");
    if (process.env.FEDIFLOW_WRITE_CHART_README === "1") await writeFile(file, expected);
    expect(await readFile(file, "utf8").catch(() => "(missing)")).toBe(expected);
  });

  it("reads keys, defaults and the comments above them", () => {
    const rows = valueRows("# Section.\na:\n  # -- The answer.\n  b: 42\n  c: [x]\nd: {}\n");
    expect(rows).toEqual([
      { key: "a", type: "object", default: "", description: "Section." },
      { key: "a.b", type: "number", default: "42", description: "The answer." },
      { key: "a.c", type: "list", default: '["x"]', description: "" },
      { key: "d", type: "object", default: "{}", description: "" },
    ]);
  });
});
