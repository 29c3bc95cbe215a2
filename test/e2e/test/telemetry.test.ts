import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText } from "@fediflow/local-stack";
import { OtlpReceiver, TestStack, createNote, waitFor, type CapturedSpan, type LocalActor } from "../src";

let otlp: OtlpReceiver;
let t: TestStack;
/** A topic or group name as it is on the cluster: under the stack's Kafka namespace. */
const ns = (name: string) => `${t.stack.kafkaNamespace}${name}`;
let actor: LocalActor;
const traced = 3; // FEDIFLOW_TRACE_HOSTS_PER_ACTIVITY

beforeAll(async () => {
  otlp = await OtlpReceiver.start();
  t = await TestStack.start({
    fediverse: {
      hosts: [
        ...Array.from({ length: 5 }, () => ({ behaviour: { kind: "ok" as const } })),
        { behaviour: { kind: "rateLimited" as const, retryAfterSeconds: 1, times: 1 } },
        ...Array.from({ length: 6 }, () => ({ behaviour: { kind: "ok" as const } })),
        { behaviour: { kind: "status" as const, status: 410 } },
      ],
    },
    env: { ...otlp.env, FEDIFLOW_TRACE_HOSTS_PER_ACTIVITY: String(traced) },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
  await otlp?.stop();
});

async function post(inboxes: string[]): Promise<{ id: string; traceId: string }> {
  const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
  expect(accepted.status).toBe(202);
  await t.waitUntilDone(accepted.body.id as string);
  return { id: accepted.body.id as string, traceId: accepted.body.traceId as string };
}

const named = (spans: CapturedSpan[], name: string) => spans.filter((span) => span.name === name);

describe("one trace per activity", () => {
  it("holds spans from all five services, correctly parented and attributed", async () => {
    const hosts = t.fediverse.hosts.slice(0, 3);
    const { id, traceId } = await post(hosts.map((host) => host.sharedInbox));
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await waitFor(
      "every service's spans",
      () => {
        const all = otlp.trace(traceId);
        const services = new Set(all.map((span) => span.service));
        return ["fediflow-ingress", "fediflow-outbox", "fediflow-fan-out", "fediflow-delivery", "fediflow-host-health"].every((s) =>
          services.has(s),
        ) && named(all, "deliver").length === 3
          ? all
          : undefined;
      },
      20_000,
    );
    // One root (the API request); every other span's parent is in the trace.
    const ids = new Set(spans.map((span) => span.spanId));
    const roots = spans.filter((span) => !span.parentSpanId);
    expect(roots).toHaveLength(1);
    expect(roots[0]!.service).toBe("fediflow-ingress");
    for (const span of spans) if (span.parentSpanId) expect(ids.has(span.parentSpanId), `${span.service} ${span.name}`).toBe(true);

    const server = roots[0]!;
    expect(server.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 202 });
    const api = spans.find((span) => span.service === "fediflow-ingress" && span.attributes["fediflow.activity.id"] === id);
    expect(api).toBeDefined();
    expect(
      spans.some(
        (span) =>
          span.service === "fediflow-outbox" &&
          span.attributes["rpc.system"] === "grpc" &&
          span.attributes["rpc.service"] === "fediflow.v1.Outbox",
      ),
    ).toBe(true);
    const sendActivity = named(spans, `send ${ns("fediflow.activities")}`)[0]!;
    expect(sendActivity).toMatchObject({
      service: "fediflow-outbox",
      attributes: { "messaging.destination.name": ns("fediflow.activities"), "messaging.system": "kafka" },
    });
    const fanOut = named(spans, `process ${ns("fediflow.activities")}`)[0]!;
    expect(fanOut.parentSpanId).toBe(sendActivity.spanId);
    expect(fanOut.attributes).toMatchObject({
      "messaging.consumer.group.name": ns("fediflow-fan-out"),
      "fediflow.activity.id": id,
      "fediflow.inbox.count": 3,
    });
    const processDelivery = named(spans, `process ${ns("fediflow.deliveries")}`);
    expect(processDelivery).toHaveLength(3);
    for (const span of processDelivery) {
      expect(span.attributes).toMatchObject({
        "messaging.consumer.group.name": ns("fediflow-delivery"),
        "messaging.destination.name": ns("fediflow.deliveries"),
      });
      expect(typeof span.attributes["messaging.destination.partition.id"]).toBe("string");
    }
    for (const deliver of named(spans, "deliver")) {
      expect(deliver.attributes).toMatchObject({
        "fediflow.activity.id": id,
        "fediflow.activity.type": "Create",
        "fediflow.attempt": 1,
        "fediflow.outcome": "delivered",
        "fediflow.inbox.count": 1,
      });
      expect(hosts.map((host) => host.host)).toContain(deliver.attributes["server.address"]);
      // The POST itself, by the undici instrumentation, is the deliver span's child.
      const post = spans.find((span) => span.parentSpanId === deliver.spanId && span.attributes["url.full"]);
      expect(post?.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 202 });
    }
    expect(spans.some((span) => span.service === "fediflow-host-health" && span.name === `process ${ns("fediflow.delivery-outcomes")}`)).toBe(true);
    // Log lines written inside the trace carry its ids (pino, through the instrumentation).
    const logged = readFileSync(t.logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes(`"trace_id":"${traceId}"`));
    expect(logged.some((line) => line.includes("fan-out complete") && /"span_id":"[0-9a-f]{16}"/.test(line))).toBe(true);
  });

  it("links a retried delivery to its first attempt", async () => {
    const limited = t.fediverse.hosts[5]!;
    const { traceId } = await post([limited.sharedInbox]);
    const delivers = await waitFor(
      "two attempts",
      () => {
        const found = named(otlp.trace(traceId), "deliver");
        return found.length === 2 ? found : undefined;
      },
      20_000,
    );
    const first = delivers.find((span) => span.attributes["fediflow.attempt"] === 1)!;
    const retry = delivers.find((span) => span.attributes["fediflow.attempt"] === 2)!;
    expect(first.attributes["fediflow.outcome"]).toBe("retrying");
    expect(first.status).toBe(2); // ERROR
    expect(retry.attributes["fediflow.outcome"]).toBe("delivered");
    expect(retry.links).toContainEqual({ traceId, spanId: first.spanId });
  });

  it("keeps a large fan-out readable: a few hosts traced, every failure kept", async () => {
    const { traceId } = await post(t.fediverse.hosts.filter((_, i) => i !== 5).map((host) => host.sharedInbox));
    await waitFor(
      "the gone host's span",
      () => named(otlp.trace(traceId), "deliver").some((span) => span.attributes["fediflow.outcome"] === "gone") || undefined,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const delivers = named(otlp.trace(traceId), "deliver");
    // 12 hosts: 3 traced as children, the 410 one (past the traced share) recorded anyway.
    expect(named(otlp.trace(traceId), `process ${ns("fediflow.deliveries")}`).length).toBe(traced);
    expect(delivers.filter((span) => span.attributes["fediflow.outcome"] === "delivered").length).toBe(traced);
    expect(delivers.filter((span) => span.attributes["fediflow.outcome"] === "gone")).toHaveLength(1);
  });

  it("exposes the documented metrics with values that match the run", async () => {
    const scrape = async (name: string) => parsePrometheusText(await (await fetch(`${t.stack.opsUrl(name)}/metrics`)).text());
    const received = t.fediverse.allReceived();
    const delivery = await scrape("delivery");
    const count = (samples: typeof delivery, name: string, labels: Record<string, string> = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    expect(count(delivery, "fediflow_deliveries_total", { outcome: "delivered" })).toBe(
      received.filter((post) => post.status === 202).length,
    );
    expect(count(delivery, "fediflow_deliveries_total", { outcome: "retrying" })).toBe(1);
    expect(count(delivery, "fediflow_deliveries_total", { outcome: "gone" })).toBe(1);
    expect(count(delivery, "fediflow_delivery_duration_seconds_count")).toBe(received.length);
    expect(delivery.some((s) => s.name === "fediflow_consumer_lag_messages" && s.labels.group === ns("fediflow-delivery"))).toBe(true);
    expect(delivery.some((s) => s.name === "fediflow_delivery_in_flight")).toBe(true);
    const fanOut = await scrape("fan-out");
    expect(count(fanOut, "fediflow_fanout_activities_total")).toBe(3);
    expect(fanOut.some((s) => s.name === "fediflow_consumer_lag_messages" && s.labels.group === ns("fediflow-fan-out"))).toBe(true);
    const outbox = await scrape("outbox");
    // The relay publishes the three activities and, once each completes, its activity.completed
    // webhook event (issue 21), which may still be on its way.
    const published = count(outbox, "fediflow_outbox_relay_published_total");
    expect(published).toBeGreaterThanOrEqual(3);
    expect(published).toBeLessThanOrEqual(6);
    expect(outbox.some((s) => s.name === "fediflow_outbox_relay_backlog")).toBe(true);
    // No unbounded labels: no host, inbox or activity id is ever a label value.
    for (const sample of [...delivery, ...fanOut, ...outbox]) {
      for (const value of Object.values(sample.labels)) expect(value).not.toMatch(/127\.77\.|https?:\/\/|^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    }
  });

  it("never lets key material or a token into a log line or a span", async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pemBody = actor.privateKeyPem.split("\n").filter((line) => line && !line.startsWith("-----"));
    const secrets = [pemBody[3]!, pemBody[10]!, "PRIVATE KEY", t.stack.env.FEDIFLOW_KEY_ENCRYPTION_KEY!, t.token];
    const logs = readFileSync(t.logFile, "utf8");
    const exported = otlp.rawBodies.join("\n");
    expect(exported.length).toBeGreaterThan(10_000);
    for (const secret of secrets) {
      expect(logs.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false);
      expect(exported.includes(secret), `spans contain ${secret.slice(0, 12)}…`).toBe(false);
    }
  });

  it("stays inside FediFlow: remote servers receive no traceparent, on a POST or on an actor fetch", async () => {
    const host = t.fediverse.hosts[7]!;
    const accepted = await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { actors: [host.actorOf("reader")], inboxes: [t.fediverse.hosts[8]!.sharedInbox] },
    });
    expect(accepted.status).toBe(202);
    await t.waitUntilDone(accepted.body.id as string);
    // The requests were made inside the activity's (sampled) trace, and carried none of it.
    expect(otlp.trace(accepted.body.traceId as string).some((span) => span.attributes["url.full"])).toBe(true);
    expect(host.fetched.length).toBeGreaterThan(0);
    const received = [...t.fediverse.hosts[8]!.received, ...host.received];
    expect(received.length).toBeGreaterThan(0);
    expect([...received, ...host.fetched].map((request) => request.traceparent)).toEqual([...received, ...host.fetched].map(() => null));
  });
});
