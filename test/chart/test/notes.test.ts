import { describe, expect, it } from "vitest";
import { renderNotes } from "../src/helm";
import { scenarios } from "../src/paths";

const warnings = (notes: string) => notes.split("\n").filter((line) => line.startsWith("WARNING:"));

describe("NOTES.txt", () => {
  it("has no warnings for the production values, and tells where the API and its tokens are", async () => {
    const notes = await renderNotes({ values: scenarios.production });
    expect(warnings(notes)).toEqual([]);
    expect(notes).toContain("svc/fediflow-ingress");
    expect(notes).toContain("get secret fediflow-secrets");
  });

  it("warns when max replicas exceed the partitions of the consumed topic", async () => {
    const notes = await renderNotes({
      values: scenarios.production,
      setTyped: { "services.delivery.autoscaling.maxReplicas": 30, "kafka.topics.deliveries.partitions": 24 },
    });
    expect(warnings(notes)).toEqual([
      expect.stringMatching(/delivery may scale to 30 replicas but its topic fediflow\.deliveries has 24 partitions/),
    ]);
  });

  it("also warns for fan-out against fediflow.activities", async () => {
    const notes = await renderNotes({ values: scenarios.keda, setTyped: { "services.fanOut.autoscaling.maxReplicas": 13 } });
    expect(warnings(notes)).toEqual([
      expect.stringMatching(/fan-out may scale to 13 replicas but its topic fediflow\.activities has 12 partitions/),
    ]);
  });

  it("warns when pool size × max replicas over all services exceeds database.maxConnections", async () => {
    // Production: outbox 8×3 + host-health 4×2 + fan-out 4×12 + delivery 4×24 + 1 = 177.
    const fits = await renderNotes({ values: scenarios.production, setTyped: { "database.maxConnections": 177 } });
    expect(warnings(fits)).toEqual([]);
    const tight = await renderNotes({ values: scenarios.production, setTyped: { "database.maxConnections": 176 } });
    expect(warnings(tight)).toEqual([
      expect.stringMatching(/may open 177 PostgreSQL connections .*delivery 4×24.*database\.maxConnections=176/),
    ]);
  });

  it("warns about connection settings left unset, and tells how to create the keys Secret once", async () => {
    const notes = await renderNotes();
    expect(warnings(notes).map((line) => line.match(/secrets\.(\w+)/)?.[1])).toEqual(["databaseUrl", "redisUrl", "kafkaBrokers"]);
    expect(notes).toContain(
      `kubectl -n fediflow create secret generic fediflow-keys --from-literal=api-tokens="$(openssl rand -hex 24)" --from-literal=key-encryption-key="$(openssl rand -base64 32)"`,
    );
    expect(await renderNotes({ values: scenarios.production })).not.toContain("fediflow-keys");
  });
});
