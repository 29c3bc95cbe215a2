import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDns } from "@fediflow/fake-fediverse";
import { TestStack, createNote, storedOutcomes, type LocalActor } from "../src";

let t: TestStack;
let dns: FakeDns;
let actor: LocalActor;
const timeoutMs = 3_000;

const names = ["ok", "trickle", "huge", "reset", "redirect", "tls", "blackhole"] as const;

beforeAll(async () => {
  dns = await FakeDns.start();
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { behaviour: { kind: "ok" } },
        { behaviour: { kind: "trickle" } },
        { behaviour: { kind: "huge", megabytes: 200 } },
        { behaviour: { kind: "reset" } },
        { behaviour: { kind: "ok" } }, // redirect loop, set below once its own URL is known
        { behaviour: { kind: "ok" }, selfSignedTls: true },
        { behaviour: { kind: "blackHole" } },
      ],
    },
    env: {
      FEDIFLOW_DNS_SERVERS: dns.address,
      FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS: String(timeoutMs),
      FEDIFLOW_DELIVERY_CONNECT_TIMEOUT_MS: "2000",
      // One attempt each: the first failure is final, with its reason on record.
      FEDIFLOW_RETRY_HORIZON_MS: "1",
    },
  });
  t.fediverse.hosts.forEach((host, i) => dns.set(`${names[i]}.fedi.test`, [host.address]));
  const redirect = t.fediverse.hosts[4]!;
  await t.fediverse.setBehaviour(redirect.host, {
    kind: "redirect",
    status: 302,
    location: `http://redirect.fedi.test:${redirect.port}/inbox`,
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
  await dns?.stop();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe("hostile remote servers", () => {
  it("hold no worker past its timeout and cost bounded memory", async () => {
    const inbox = (name: string, host: { port: number; origin: string }) =>
      `${host.origin.startsWith("https") ? "https" : "http"}://${name}.fedi.test:${host.port}/inbox`;
    const inboxes = names.map((name, i) => inbox(name, t.fediverse.hosts[i]!));
    inboxes.push(`http://missing.fedi.test:${t.fediverse.port}/inbox`);
    const pid = t.stack.processes.get("delivery")!.pid!;
    const rssBefore = rssMb(pid);
    const submitted = Date.now();
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    const status = await t.waitUntilDone(accepted.body.id as string, 30_000);
    const settledIn = Date.now() - submitted;
    // Every attempt ended by the request timeout (plus the pipeline's own latency).
    expect(settledIn).toBeLessThan(timeoutMs + 5_000);
    expect(status.inboxes).toMatchObject({ total: 8, delivered: 2, failed: 6 });

    const outcomes = await storedOutcomes(t, accepted.body.id as string);
    const of = (i: number) => outcomes.get(inboxes[i]!);
    expect(of(0)?.outcome).toBe("delivered");
    expect(of(1)?.reason).toMatch(/^timeout; gave up/);
    expect(of(2)).toMatchObject({ outcome: "delivered", status: 202 }); // a huge answer is read up to 64 KiB, then dropped
    expect(of(3)?.reason).toMatch(/^connection reset; gave up/);
    expect(of(4)).toMatchObject({ outcome: "rejected", status: 302 });
    expect(of(4)?.reason).toContain("redirect to http://redirect.fedi.test");
    expect(of(5)?.reason).toMatch(/^TLS: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN); gave up/);
    expect(of(6)?.reason).toMatch(/^timeout; gave up/);
    expect(outcomes.get(inboxes[7]!)?.reason).toMatch(/^DNS lookup failed; gave up/);

    // 200 MB offered; the process read 64 KiB of it.
    expect(rssMb(pid) - rssBefore).toBeLessThan(100);
    // The redirect was never followed: its host saw exactly one request.
    expect(t.fediverse.hosts[4]!.received).toHaveLength(1);
  });
});
