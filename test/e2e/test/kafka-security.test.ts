import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KafkaCluster } from "@fediflow/kafka-cluster";
import { TestStack, createNote } from "../src";

// One Kafka with a TLS listener and a SASL/SCRAM-SHA-512 listener beside its plaintext one; each
// stack below reaches it only through one of the secured listeners.
let cluster: KafkaCluster;
const user = { username: "fediflow", password: randomBytes(12).toString("hex") };

beforeAll(async () => {
  cluster = await KafkaCluster.start({ tls: true, scram: user, namespace: null });
}, 240_000);
afterAll(async () => {
  await cluster?.stop();
});

async function deliversThrough(env: NodeJS.ProcessEnv): Promise<void> {
  const t = await TestStack.start({ fediverse: { hosts: 2 }, env });
  try {
    const actor = await t.registerActor("alice");
    const inboxes = t.fediverse.hosts.map((host) => host.inboxOf("bob"));
    const accepted = await t.client.submitActivity({ actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    expect(await t.waitUntilDone(accepted.id)).toMatchObject({ state: "done", inboxes: { total: 2, delivered: 2 } });
    expect(t.fediverse.allReceived().map((post) => post.inbox).sort()).toEqual([...inboxes].sort());
    // Every service took the secured brokers, none another Kafka.
    for (const [, child] of t.stack.processes) expect(child.options.env?.FEDIFLOW_KAFKA_BROKERS).toBe(env.FEDIFLOW_KAFKA_BROKERS);
  } finally {
    await t.stop();
  }
}

const scram = () => ({
  FEDIFLOW_KAFKA_BROKERS: cluster.scramBootstrapServers.join(","),
  FEDIFLOW_KAFKA_SASL_MECHANISM: "scram-sha-512",
  FEDIFLOW_KAFKA_SASL_USERNAME: user.username,
  FEDIFLOW_KAFKA_SASL_PASSWORD: user.password,
});

it("delivers through Kafka's TLS listener, verified against the cluster's CA", async () => {
  await deliversThrough({ FEDIFLOW_KAFKA_BROKERS: cluster.tlsBootstrapServers.join(","), FEDIFLOW_KAFKA_TLS_CA_FILE: cluster.tls!.caFile });
});

it("delivers through Kafka's SASL/SCRAM-SHA-512 listener", async () => {
  await deliversThrough(scram());
});

it("never becomes ready with a wrong password, and says why", async () => {
  // The stack's own topic set-up uses the right password; delivery alone gets a wrong one.
  const started = TestStack.start({ env: scram(), serviceEnv: { delivery: { FEDIFLOW_KAFKA_SASL_PASSWORD: "not-the-password" } }, readyTimeoutMs: 60_000 });
  await expect(started).rejects.toThrow(/delivery exited while starting[\s\S]*SASL SCRAM SHA512 authentication failed/);
});
