import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderChart } from "../src/helm";
import { ofKind } from "../src/manifests";
import { chartDir, deployDir, scenarios } from "../src/paths";

// The metric names the services export (every series also carries `service`).
const fediflowMetrics = [
  "fediflow_deliveries_total",
  "fediflow_delivery_duration_seconds",
  "fediflow_delivery_in_flight",
  "fediflow_consumer_lag_messages",
  "fediflow_consumer_lag_seconds",
  "fediflow_outbox_relay_backlog",
  "fediflow_fanout_inboxes_total",
  "fediflow_fanout_messages_total",
  "fediflow_parked_deliveries",
  "fediflow_hosts",
  "fediflow_coalesced_total",
  "fediflow_http_server_requests_total",
  "fediflow_http_server_request_duration_seconds",
  "fediflow_grpc_server_handled_total",
  "fediflow_dependency_up",
];

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

const metricNames = (expr: string) =>
  [...expr.matchAll(/\b(fediflow_[a-z_]+)(?=\s*[{[)])/g)].map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ""));

describe("deploy/", () => {
  it("the Grafana dashboard charts every FediFlow metric and no other fediflow_* name", async () => {
    const dashboard = JSON.parse(await readFile(path.join(chartDir, "dashboards", "fediflow-dashboard.json"), "utf8")) as {
      uid: string;
      panels: Panel[];
    };
    expect(dashboard.uid).toBeTruthy();
    const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(queries.length).toBeGreaterThan(10);
    const used = new Set(queries.flatMap(metricNames));
    expect([...used].filter((name) => !fediflowMetrics.includes(name))).toEqual([]);
    expect(fediflowMetrics.filter((name) => !used.has(name))).toEqual([]);
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it("the chart ships that dashboard as a ConfigMap for Grafana's sidecar, when asked", async () => {
    expect(ofKind(await renderChart(), "ConfigMap").map((map) => map.metadata.name)).not.toContain("fediflow-dashboard");
    const manifests = await renderChart({ setTyped: { "monitoring.grafanaDashboard.enabled": true }, set: { "monitoring.grafanaDashboard.namespace": "monitoring" } });
    const map = ofKind(manifests, "ConfigMap").find((candidate) => candidate.metadata.name === "fediflow-dashboard")!;
    expect(map.metadata.labels?.grafana_dashboard).toBe("1");
    expect(map.metadata.namespace).toBe("monitoring");
    const file = await readFile(path.join(chartDir, "dashboards", "fediflow-dashboard.json"), "utf8");
    expect(JSON.parse((map.data as Record<string, string>)["fediflow-dashboard.json"]!)).toEqual(JSON.parse(file));
  });

  it("Prometheus Adapter serves, as external metrics, the lag metrics the HPAs ask for", async () => {
    const adapter = parse(await readFile(path.join(deployDir, "prometheus-adapter", "values.yaml"), "utf8")) as {
      rules: { external: Array<{ seriesQuery: string; name: { as: string }; metricsQuery: string }> };
    };
    const served = adapter.rules.external.map((rule) => rule.name.as);
    for (const rule of adapter.rules.external) {
      // A rule may serve a derived metric (lag seconds from lag messages and the drain rate), but
      // its query always reads the series it discovers.
      const [series] = metricNames(rule.seriesQuery);
      expect(rule.metricsQuery.includes(series!) || rule.metricsQuery.includes("<<.Series>>")).toBe(true);
      expect(rule.metricsQuery).toContain("<<.LabelMatchers>>");
      expect(rule.metricsQuery).toMatch(/by \(group/);
    }
    const hpas = ofKind(await renderChart({ values: scenarios.production }), "HorizontalPodAutoscaler");
    const asked = hpas.flatMap((hpa) =>
      (hpa.spec as { metrics: Array<{ external?: { metric: { name: string } } }> }).metrics.flatMap((metric) =>
        metric.external ? [metric.external.metric.name] : [],
      ),
    );
    expect(asked.length).toBe(2);
    for (const name of asked) expect(served).toContain(name);
  });

  it("the dependency manifests name the cluster and Secret the production values use", async () => {
    const production = parse(await readFile(scenarios.production[0], "utf8")) as {
      kafka: { topics: { cluster: string } };
      secrets: { refs: { databaseUrl: { name: string } } };
    };
    const kafka = (await readFile(path.join(deployDir, "dependencies", "kafka.yaml"), "utf8")).split(/^---$/m).map((doc) => parse(doc));
    expect(kafka.find((doc) => doc.kind === "Kafka")?.metadata.name).toBe(production.kafka.topics.cluster);
    const postgres = parse(await readFile(path.join(deployDir, "dependencies", "postgres.yaml"), "utf8")) as { metadata: { name: string } };
    // CloudNativePG names the application Secret <cluster>-app.
    expect(production.secrets.refs.databaseUrl.name).toBe(`${postgres.metadata.name}-app`);
  });
});
