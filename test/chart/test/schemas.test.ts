import { topics as contractTopics } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import { renderChart, type RenderOptions } from "../src/helm";
import { schemaProblem } from "../src/kubernetes-schemas";
import { scenarios } from "../src/paths";

// Every optional object switched on at once, so each template is rendered and checked at least once.
const everything: RenderOptions = {
  values: scenarios.production,
  set: { "grpc.tls.secretName": "fediflow-grpc-tls", "secrets.databaseReadUrl": "postgres://reader@db-ro:5432/fediflow" },
  setTyped: { "grpc.tls.enabled": true, "networkPolicy.enabled": true },
};

const cases: Record<string, RenderOptions> = {
  default: {},
  production: { values: scenarios.production },
  keda: { values: scenarios.keda },
  "every option": everything,
};

describe("every rendered object meets its API schema", () => {
  for (const [name, options] of Object.entries(cases)) {
    it(`${name} values`, async () => {
      const manifests = await renderChart(options);
      expect(manifests.length).toBeGreaterThan(20);
      expect(manifests.map(schemaProblem).filter((problem) => problem !== undefined)).toEqual([]);
    });
  }

  it("the validators catch a broken object", async () => {
    const [deployment] = (await renderChart()).filter((m) => m.kind === "Deployment");
    const broken = structuredClone(deployment!);
    (broken.spec as { replicas: unknown }).replicas = "two";
    expect(schemaProblem(broken)).toMatch(/replicas must be integer/);
    expect(schemaProblem({ ...deployment!, apiVersion: "example.com/v1", kind: "Widget" })).toMatch(/no schema known/);
  });

  it("the KafkaTopic schema refuses a topic without partitions as an integer", async () => {
    const topics = (await renderChart(everything)).filter((m) => m.kind === "KafkaTopic");
    expect(topics).toHaveLength(Object.keys(contractTopics).length);
    const broken = structuredClone(topics[0]!);
    (broken.spec as { partitions: unknown }).partitions = "24";
    expect(schemaProblem(broken)).toMatch(/partitions/);
  });
});
