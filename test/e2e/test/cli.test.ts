import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, type LocalActor } from "../src";

// The `fediflow` operator commands (packages/cli) against the real stack, run as a user runs them.
const cliPath = path.resolve(__dirname, "../../../packages/cli/dist/main.js");
const appToken = "cli-app-token-0123456789";

let t: TestStack;
let actor: LocalActor;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function fediflow(args: string[], token = t.token): Promise<Run> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH, FEDIFLOW_URL: t.stack.ingressUrl, FEDIFLOW_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  t = await TestStack.start({
    // 0: healthy; 1: refuses connections, so it dies and parks what it is sent.
    fediverse: { hosts: [{ behaviour: { kind: "ok" } }, { behaviour: { kind: "refuse" } }] },
    tokens: [`app:cli=${appToken}`],
    env: {
      FEDIFLOW_RETRY_BASE_MS: "200",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "400",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "1000",
      FEDIFLOW_DEAD_AFTER_MS: "2000",
    },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("fediflow operator commands", () => {
  it("follows an activity to done, finds the dead host, drills into it, blocks and redrives", async () => {
    const [healthy, dead] = t.fediverse.hosts;
    const accepted = await t.client.submitActivity({
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { inboxes: [healthy!.inboxOf("a"), healthy!.inboxOf("b"), dead!.inboxOf("c")] },
    });

    // status: a line per change (not a terminal), the last one the final count.
    const followed = await fediflow(["status", accepted.id, "--interval-ms", "100"]);
    expect(followed.code, followed.stderr).toBe(0);
    const lines = followed.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\[#+p+\.*\] 3\/3 done: delivered 2, failed 0, parked 1, blocked 0, superseded 0, pending 0$/);
    const json = await fediflow(["--json", "status", accepted.id]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: accepted.id, state: "done", inboxes: { total: 3, delivered: 2, parked: 1 } });

    const deadHosts = await fediflow(["hosts", "--state", "dead"]);
    expect(deadHosts.code, deadHosts.stderr).toBe(0);
    expect(deadHosts.stdout.split("\n")[0]).toMatch(/^HOST\s+STATE\s+FAILURES\s+LAST SUCCESS\s+NEXT PROBE$/);
    expect(deadHosts.stdout).toContain(`${dead!.host}  dead`);
    expect(deadHosts.stdout).not.toContain(healthy!.host);

    const drillDown = await fediflow(["host", dead!.host]);
    expect(drillDown.code, drillDown.stderr).toBe(0);
    expect(drillDown.stdout).toMatch(new RegExp(`recent attempts \\(\\d+\\):[\\s\\S]*${accepted.id}`));
    expect(drillDown.stdout).toMatch(
      new RegExp(`parked \\(1\\):[\\s\\S]*${accepted.id}\\s+${dead!.inboxOf("c").replace(/[.?]/g, "\\$&")}`),
    );
    const drillJson = JSON.parse((await fediflow(["--json", "host", dead!.host])).stdout) as {
      host: { state: string };
      parked: { items: unknown[] };
    };
    expect(drillJson.host.state).toBe("dead");
    expect(drillJson.parked.items).toHaveLength(1);

    // What an operator sees, kept in the test's output for the record.
    console.info(
      `$ fediflow status ${accepted.id}\n${followed.stdout}$ fediflow hosts --state dead\n${deadHosts.stdout}$ fediflow host ${dead!.host}\n${drillDown.stdout}`,
    );

    expect(await fediflow(["block", dead!.host])).toMatchObject({ code: 0, stdout: `${dead!.host} blocked\n` });
    expect((await t.client.host(dead!.host)).state).toBe("blocked");
    expect(await fediflow(["unblock", dead!.host])).toMatchObject({ code: 0, stdout: `${dead!.host} unblocked\n` });

    // Nothing of this activity failed for good yet (one delivery is parked): a redrive finds nothing.
    expect(await fediflow(["--json", "redrive", accepted.id])).toMatchObject({ code: 0, stdout: '{\n  "redriven": 0\n}\n' });
    expect(await fediflow(["redrive", "--host", dead!.host, "--since", "1h"])).toMatchObject({ code: 0, stdout: "redriven: 0 inboxes\n" });
  });

  it("fails in one line with a non-zero exit", async () => {
    const unknown = await fediflow(["host", "never-seen.example"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/^fediflow: 404 unknown-host: FediFlow has never seen never-seen\.example\n$/);

    const refused = await fediflow(["block", t.fediverse.hosts[0]!.host], appToken);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^fediflow: 403 forbidden: this route needs an operator token[^\n]*\n$/);

    const badToken = await fediflow(["hosts"], "wrong-token");
    expect(badToken).toMatchObject({ code: 1, stderr: "fediflow: 401 unauthorized: a valid bearer token is required\n" });

    const emptyQuarantine = await fediflow(["quarantine"]);
    expect(emptyQuarantine).toMatchObject({ code: 0, stdout: "nothing quarantined\n" });
    const appQuarantine = await fediflow(["quarantine", "redrive", "1"], appToken);
    expect(appQuarantine.code).toBe(1);
    expect(appQuarantine.stderr).toMatch(/^fediflow: 403 forbidden: this route needs an operator token[^\n]*\n$/);

    const usage = await fediflow(["redrive"]);
    expect(usage).toMatchObject({ code: 64, stderr: "fediflow: redrive takes an activity ID or --host HOST, not both\n" });
  });
});
