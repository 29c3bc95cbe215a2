import path from "node:path";
import { describe, expect, it } from "vitest";
import { helm, renderChart, type Manifest } from "../src/helm";
import { componentName, named, ofKind, podSpec, serviceNames } from "../src/manifests";
import { chartDir, repoRoot, scenarios } from "../src/paths";

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
      // The services' ConfigMaps (the dashboard's, in the production values, holds only JSON).
      const configMaps = ofKind(manifests, "ConfigMap").filter((map) => map.metadata.name !== "fediflow-dashboard");
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
      "key-encryption-keys-previous": "",
      "database-url": dummy.databaseUrl,
      "database-read-url": dummy.databaseReadUrl,
      "redis-url": dummy.redisUrl,
      "kafka-brokers": dummy.kafkaBrokers,
    });
  });

  it("never generates the key-encryption key or the tokens: two renders with no cluster agree", async () => {
    const render = () => helm(["template", "fediflow", chartDir, "--namespace", "fediflow"]).then((output) => output.stdout);
    const [first, second] = [await render(), await render()];
    // Anything random in a render (randBytes, randAlphaNum, a lookup that sees nothing) differs here.
    expect(second).toBe(first);
    const manifests = await renderChart();
    const data = secretData(named(manifests, "Secret", "fediflow"));
    expect(Object.keys(data)).not.toContain("key-encryption-key");
    expect(Object.keys(data)).not.toContain("api-tokens");
    // The pods read both from a Secret the operator creates once and the chart never renders, so
    // no sync, upgrade or uninstall can replace or delete it.
    expect(ofKind(manifests, "Secret").map((secret) => secret.metadata.name)).not.toContain("fediflow-keys");
    const ref = (service: string, variable: string) =>
      podSpec(named(manifests, "Deployment", componentName(service)))
        .containers[0]!.env!.find((entry) => entry.name === variable)?.valueFrom?.secretKeyRef;
    for (const service of ["outbox", "fan-out", "delivery"]) {
      expect(ref(service, "FEDIFLOW_KEY_ENCRYPTION_KEY")).toEqual({ name: "fediflow-keys", key: "key-encryption-key" });
    }
    expect(ref("ingress", "FEDIFLOW_API_TOKENS")).toEqual({ name: "fediflow-keys", key: "api-tokens" });
    // A key given in the values is rendered as given, the same every time.
    const given = async () => secretData(named(await renderChart({ inline: withDummies }), "Secret", "fediflow"))["key-encryption-key"];
    expect([await given(), await given()]).toEqual([dummy.keyEncryptionKey, dummy.keyEncryptionKey]);
    expect(named(manifests, "Secret", "fediflow").metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
  });

  it("passes the previous key-encryption keys of a rotation to every service that opens keys", async () => {
    const previous = `${Buffer.alloc(32, 1).toString("base64")},${Buffer.alloc(32, 2).toString("base64")}`;
    const manifests = await renderChart({ inline: { secrets: { ...dummy, keyEncryptionKeysPrevious: previous } } });
    expect(secretData(named(manifests, "Secret", "fediflow"))["key-encryption-keys-previous"]).toBe(previous);
    for (const service of ["outbox", "fan-out", "delivery"]) {
      const env = podSpec(named(manifests, "Deployment", componentName(service))).containers[0]!.env!;
      expect(env.find((entry) => entry.name === "FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS")?.valueFrom?.secretKeyRef).toEqual({
        name: "fediflow",
        key: "key-encryption-keys-previous",
        optional: true,
      });
    }
    await expect(renderChart({ inline: { secrets: { keyEncryptionKeysPrevious: "not-a-key" } } })).rejects.toThrow(/keyEncryptionKeysPrevious/);
  });

  it("gives each service only the secret settings it reads", async () => {
    const manifests = await renderChart({ inline: withDummies });
    // What each service reads comes from its own configuration schema (services/<name>/src/config.ts),
    // so the chart cannot fall behind the code.
    const secretVariables = [
      "FEDIFLOW_API_TOKENS",
      "FEDIFLOW_KEY_ENCRYPTION_KEY",
      "FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS",
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
