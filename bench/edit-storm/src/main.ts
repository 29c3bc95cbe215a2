#!/usr/bin/env node
// Edit storm (issue 12): one note created and edited 20 times, to followers on many hosts, while
// 10 % of the hosts are slow (5 %) or dead for a while and then revived (5 %). Run twice in one invocation, with
// coalescing off and on: requests sent, and the time until every host holds the final version.
// `pnpm --filter @fediflow/bench-edit-storm bench` (full) or `... test` (smoke: checks it works).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TestStack } from "@fediflow/e2e";
import type { HostOptions } from "@fediflow/fake-fediverse";
import { editStorm, sendStorm } from "./storm";

const smoke = process.argv.includes("--smoke");
const hostCount = smoke ? 20 : 200;
const edits = 20;
const gapMs = 100;
const downForMs = smoke ? 3_000 : 8_000;

interface RunResult {
  coalescing: boolean;
  /** Every POST the fake fediverse received (accepted or refused). */
  requests: number;
  /** POSTs the hosts accepted. */
  accepted: number;
  /** From the first activity accepted by ingress to the last host accepting the final version. */
  finalStateSeconds: number;
  /** The same, for each kind of host. */
  finalStateSecondsBy: Record<HostKind, number>;
  superseded: number;
}

type HostKind = "healthy" | "slow" | "down";
const kindOf = (i: number): HostKind => (i % 20 === 0 ? "slow" : i % 20 === 1 ? "down" : "healthy");

const hosts = (): HostOptions[] =>
  Array.from({ length: hostCount }, (_, i) => {
    if (kindOf(i) === "slow") return { behaviour: { kind: "ok", latencyMs: 1_500 } };
    if (kindOf(i) === "down") return { behaviour: { kind: "status", status: 503 } };
    return { behaviour: { kind: "ok", latencyMs: [20, 120] } };
  });

async function run(coalescing: boolean): Promise<RunResult> {
  const t = await TestStack.start({
    fediverse: { hosts: hosts() },
    env: {
      FEDIFLOW_COALESCING: String(coalescing),
      FEDIFLOW_RETRY_BASE_MS: "1000",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "2000",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "1000",
      // A host down for 2 s is dead: its deliveries are parked, it is probed and revived.
      FEDIFLOW_DEAD_AFTER_MS: "2000",
      FEDIFLOW_PROBE_INITIAL_MS: "500",
      FEDIFLOW_PROBE_MAX_MS: "1000",
      FEDIFLOW_PROBE_POLL_MS: "100",
      FEDIFLOW_REPLAY_POLL_MS: "100",
    },
  });
  try {
    const actor = await t.registerActor("storm");
    await t.client.updateFollowers({
      actor: actor.id,
      add: t.fediverse.hosts.map((host) => ({ id: host.actorOf("f"), inbox: host.inboxOf("f"), sharedInbox: host.sharedInbox })),
    });
    const down = t.fediverse.hosts.filter((host) => host.behaviour.kind === "status");
    const storm = editStorm(actor, edits);
    const finalId = storm.at(-1)!.id as string;
    const started = Date.now();
    setTimeout(() => {
      for (const host of down) void t.fediverse.setBehaviour(host.host, { kind: "ok", latencyMs: [20, 120] });
    }, downForMs);
    const ids = await sendStorm(t, actor, storm, gapMs);
    const statuses = await Promise.all(ids.map((id) => t.waitUntilDone(id, 300_000)));
    const holdsFinal = t.fediverse.hosts.map((host) =>
      host.received.find((post) => post.status === 202 && post.activityId === finalId),
    );
    if (holdsFinal.some((post) => post === undefined)) throw new Error("a host never received the final version");
    const finalBy = (kind: HostKind) =>
      (Math.max(...holdsFinal.filter((_, i) => kindOf(i) === kind).map((post) => post!.receivedAt)) - started) / 1000;
    const posts = t.fediverse.allReceived();
    return {
      coalescing,
      requests: posts.length,
      accepted: posts.filter((post) => post.status === 202).length,
      finalStateSeconds: (Math.max(...holdsFinal.map((post) => post!.receivedAt)) - started) / 1000,
      finalStateSecondsBy: { healthy: finalBy("healthy"), slow: finalBy("slow"), down: finalBy("down") },
      superseded: statuses.reduce((sum, status) => sum + ((status.inboxes as Record<string, number>).superseded ?? 0), 0),
    };
  } finally {
    await t.stop();
  }
}

async function main(): Promise<void> {
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`edit storm: Create + ${edits} Updates, ${gapMs} ms apart, to ${hostCount} hosts (5 % slow, 5 % down for ${downForMs / 1000} s)${smoke ? " (smoke)" : ""}`);
  const off = await run(false);
  const by = (r: RunResult) =>
    `(healthy ${r.finalStateSecondsBy.healthy.toFixed(1)} s, slow ${r.finalStateSecondsBy.slow.toFixed(1)} s, down then back ${r.finalStateSecondsBy.down.toFixed(1)} s)`;
  say(`  coalescing off: ${off.requests} requests, final state everywhere after ${off.finalStateSeconds.toFixed(1)} s ${by(off)}`);
  const on = await run(true);
  say(`  coalescing on:  ${on.requests} requests (${on.superseded} superseded), final state everywhere after ${on.finalStateSeconds.toFixed(1)} s ${by(on)}`);
  const ratio = on.requests / off.requests;
  say(`  requests with/without coalescing: ${ratio.toFixed(3)}; time to final state: ${(on.finalStateSeconds / off.finalStateSeconds).toFixed(2)}×`);

  const results = path.join(__dirname, "../../results");
  mkdirSync(results, { recursive: true });
  const name = smoke ? "edit-storm-smoke" : "edit-storm";
  writeFileSync(path.join(results, `${name}.json`), JSON.stringify({ hostCount, edits, gapMs, downForMs, runs: [off, on] }, null, 2));
  writeFileSync(
    path.join(results, `${name}.md`),
    [
      `| coalescing | requests | accepted | superseded | final state everywhere (s) | healthy hosts (s) | slow hosts (s) | down-then-back hosts (s) |`,
      `|---|---:|---:|---:|---:|---:|---:|---:|`,
      ...[off, on].map(
        (r) =>
          `| ${r.coalescing ? "on" : "off"} | ${r.requests} | ${r.accepted} | ${r.superseded} | ${r.finalStateSeconds.toFixed(1)} | ` +
          `${r.finalStateSecondsBy.healthy.toFixed(1)} | ${r.finalStateSecondsBy.slow.toFixed(1)} | ${r.finalStateSecondsBy.down.toFixed(1)} |`,
      ),
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
