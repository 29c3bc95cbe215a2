import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeDns } from "@fediflow/fake-fediverse";
import { freePort, parsePrometheusText } from "@fediflow/local-stack";
import { TestStack, createNote, waitFor } from "../src";

// In a cluster, ingress reaches the outbox through a headless Service: one DNS name with an
// address per ready pod. Here a DNS server on loopback plays that Service, naming the two outbox
// processes' addresses (127.0.0.1 and 127.0.0.2, the same gRPC port).
let dns: FakeDns;
let t: TestStack;
const name = "fediflow-outbox-grpc.fediflow.test";

beforeAll(async () => {
  dns = await FakeDns.start({ [name]: ["127.0.0.1", "127.0.0.2"] });
  const port = await freePort();
  t = await TestStack.start({
    replicas: { outbox: 2 },
    serviceEnv: {
      outbox: { FEDIFLOW_OUTBOX_GRPC_PORT: String(port) },
      // grpc-js asks the DNS server named in the target only with its alternative resolver.
      ingress: { FEDIFLOW_OUTBOX_ADDRESS: `dns://${dns.address}/${name}:${port}`, GRPC_NODE_USE_ALTERNATIVE_RESOLVER: "true" },
    },
    processEnv: { "outbox-2": { FEDIFLOW_LISTEN_ADDRESS: "127.0.0.2" } },
  });
}, 240_000);
afterAll(async () => {
  await t?.stop();
  await dns?.stop();
});

const handled = async (process: string) =>
  parsePrometheusText(await (await fetch(`${t.stack.opsUrl(process)}/metrics`)).text())
    .filter((sample) => sample.name === "fediflow_grpc_server_handled_total" && sample.labels.method?.startsWith("/fediflow.v1.Outbox/"))
    .reduce((sum, sample) => sum + sample.value, 0);

const submit = async (actor: string) => {
  const accepted = await t.api("POST", "/v1/activities", {
    actor,
    activity: createNote(actor),
    audience: { inboxes: [t.fediverse.hosts[0]!.sharedInbox] },
  });
  expect(accepted.status).toBe(202);
};

it("spreads ingress's calls over every outbox the name resolves to", async () => {
  const actor = await t.registerActor("alice");
  // round_robin sends only over connections that are up: on a busy machine the second outbox's
  // may still be connecting (or backing off) after the stack is ready. Wait until each outbox has
  // answered a call, then count.
  await waitFor(
    "a call answered by each outbox",
    async () => {
      await submit(actor.id);
      return (await handled("outbox")) > 0 && (await handled("outbox-2")) > 0;
    },
    60_000,
    200,
  );
  const before = [await handled("outbox"), await handled("outbox-2")];
  const calls = 20;
  for (let i = 0; i < calls; i += 1) await submit(actor.id);
  const [first, second] = [(await handled("outbox")) - before[0]!, (await handled("outbox-2")) - before[1]!];
  // Taken in turn: neither side is left idle.
  expect(first + second).toBe(calls);
  expect(Math.min(first, second)).toBeGreaterThanOrEqual(calls / 2 - 1);
});
