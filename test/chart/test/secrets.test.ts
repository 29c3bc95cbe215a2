import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderChart, type Manifest } from "../src/helm";
import { componentName, named, ofKind, podSpec, serviceNames } from "../src/manifests";
import { repoRoot, scenarios } from "../src/paths";

// Recognisable dummy values: if any of them shows up in a ConfigMap, a secret leaked into one.
const dummy = {
  apiTokens: "token-4f1c9a,token-77b2e0",
  keyEncryptionKey: Buffer.alloc(32, 7).toString("base64"),
  databaseUrl: "postgres://fediflow:pw-primary-91c3@db-rw:5432/fediflow",
  databaseReadUrl: "postgres://fediflow:pw-replica-2d8e@db-ro:5432/fediflow",
  redisUrl: "redis://:pw-redis-5a61@redis:6379",
  kafkaBrokers: "broker-secret-0.kafka:9092,broker-secret-1.kafka:9092",
};
const withDummies = { secrets: dummy };

const secretData = (secret: Manifest): Record<string, string> =>
  Object.fromEntries(
    Object.entries(secret.data as Record<string, string>).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
  );

/** What a secret value may look like once rendered: as is, or base64-encoded. */
const renderedForms = (value: string) => [value, Buffer.from(value).toString("base64")];

describe("secrets", () => {
  it("never renders a secret value into a ConfigMap (default and production values)", async () => {
    const marker = "https://instance-marker-3e9d.example";
    for (const values of [[], scenarios.production]) {
      const manifests = await renderChart({ values, inline: { ...withDummies, config: { FEDIFLOW_INSTANCE_URL: marker } } });
      const configMaps = ofKind(manifests, "ConfigMap");
      expect(configMaps.length).toBe(serviceNames.length);
      const text = JSON.stringify(configMaps);
      // The search does find what the ConfigMaps do carry.
      expect(text).toContain(marker);
      for (const value of Object.values(dummy)) {
        for (const form of [...renderedForms(value), ...value.split(",")]) expect(text).not.toContain(form);
      }
    }
  });

  it("puts the given values into the chart's Secret, under the configured keys", async () => {
    const data = secretData(named(await renderChart({ inline: withDummies }), "Secret", "fediflow"));
    expect(data).toEqual({
      "api-tokens": dummy.apiTokens,
      "key-encryption-key": dummy.keyEncryptionKey,
      "database-url": dummy.databaseUrl,
      "database-read-url": dummy.databaseReadUrl,
      "redis-url": dummy.redisUrl,
      "kafka-brokers": dummy.kafkaBrokers,
    });
  });

  it("generates a usable token and a 32-byte key-encryption key when none is given", async () => {
    const data = secretData(named(await renderChart(), "Secret", "fediflow"));
    expect(data["api-tokens"]).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(Buffer.from(data["key-encryption-key"]!, "base64")).toHaveLength(32);
    expect(named(await renderChart(), "Secret", "fediflow").metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
  });

  it("gives each service only the secret settings it reads", async () => {
    const manifests = await renderChart({ inline: withDummies });
    // What each service reads comes from its own configuration schema (services/<name>/src/config.ts),
    // so the chart cannot fall behind the code.
    const secretVariables = [
      "FEDIFLOW_API_TOKENS",
      "FEDIFLOW_KEY_ENCRYPTION_KEY",
      "FEDIFLOW_DATABASE_URL",
      "FEDIFLOW_DATABASE_READ_URL",
      "FEDIFLOW_REDIS_URL",
      "FEDIFLOW_KAFKA_BROKERS",
    ];
    const expected: Record<string, string[]> = {};
    for (const service of serviceNames) {
      const config = require(path.join(repoRoot, "services", service, "dist", "config.js")) as Record<
        string,
        { shape?: Record<string, unknown> }
      >;
      const schema = Object.values(config).find((value) => value?.shape && "FEDIFLOW_LOG_LEVEL" in value.shape);
      expected[service] = secretVariables.filter((name) => name in schema!.shape!);
    }
    for (const service of serviceNames) {
      const env = podSpec(named(manifests, "Deployment", componentName(service))).containers[0]!.env ?? [];
      const fromSecrets = env.filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
      expect(fromSecrets.sort(), service).toEqual(expected[service]!.sort());
      // Secrets arrive by reference only, never as literal values.
      for (const variable of env) expect(Object.values(dummy), `${service} ${variable.name}`).not.toContain(variable.value);
    }
  });

  it("with existingSecret creates no Secret of its own and reads every key from it; refs win", async () => {
    const manifests = await renderChart({ values: scenarios.production });
    expect(ofKind(manifests, "Secret").map((secret) => secret.metadata.name)).toEqual([]);
    const env = podSpec(named(manifests, "Deployment", componentName("outbox"))).containers[0]!.env!;
    const ref = (name: string) => env.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
    expect(ref("FEDIFLOW_KAFKA_BROKERS")).toEqual({ name: "fediflow-secrets", key: "kafka-brokers" });
    expect(ref("FEDIFLOW_KEY_ENCRYPTION_KEY")).toEqual({ name: "fediflow-secrets", key: "key-encryption-key" });
    // The optional read replica may be missing from the Secret.
    expect(ref("FEDIFLOW_DATABASE_READ_URL")).toEqual({ name: "fediflow-secrets", key: "database-read-url", optional: true });
    // CloudNativePG's own Secret for the primary.
    expect(ref("FEDIFLOW_DATABASE_URL")).toEqual({ name: "fediflow-pg-app", key: "uri" });
    const migrate = podSpec(ofKind(manifests, "Job")[0]!).containers[0]!.env!;
    expect(migrate.find((variable) => variable.name === "FEDIFLOW_DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
      name: "fediflow-pg-app",
      key: "uri",
    });
  });

  it("hands the migrations Job the database URL through a hook Secret that exists before it", async () => {
    const manifests = await renderChart({ inline: withDummies });
    const hookSecret = named(manifests, "Secret", "fediflow-migrate");
    const job = named(manifests, "Job", "fediflow-migrate");
    expect(secretData(hookSecret)).toEqual({ "database-url": dummy.databaseUrl });
    expect(Number(hookSecret.metadata.annotations?.["helm.sh/hook-weight"])).toBeLessThan(
      Number(job.metadata.annotations?.["helm.sh/hook-weight"]),
    );
    expect(hookSecret.metadata.annotations?.["helm.sh/hook"]).toBe(job.metadata.annotations?.["helm.sh/hook"]);
  });

  it("refuses secret settings in the plain config", async () => {
    await expect(renderChart({ set: { "config.FEDIFLOW_DATABASE_URL": dummy.databaseUrl } })).rejects.toThrow(/config/);
    await expect(renderChart({ set: { "services.delivery.config.FEDIFLOW_KEY_ENCRYPTION_KEY": dummy.keyEncryptionKey } })).rejects.toThrow(
      /config/,
    );
  });
});
