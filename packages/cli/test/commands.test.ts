import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { FediFlowClient, FediFlowProblem, type ActivityStatus } from "@fediflow/client";
import * as commands from "../src/commands";
import { CliFailure, oneLine } from "../src/failure";
import { cliSettings } from "../src/settings";

/** A client whose fetch answers from a list of [method path, status, body], recording each call. */
function stand(answers: Array<[string, number, unknown]>) {
  const calls: Array<{ route: string; body: unknown }> = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const route = `${init?.method ?? "GET"} ${url.pathname}${url.search}`;
    calls.push({ route, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const answer = answers.find(([pattern]) => pattern === route) ?? answers.find(([pattern]) => route.startsWith(pattern));
    if (!answer)
      return new Response(JSON.stringify({ type: "urn:fediflow:problem:not-found", title: "Not found", detail: route }), { status: 404 });
    const [, status, body] = answer;
    const problem = status >= 400;
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": problem ? "application/problem+json" : "application/json" },
    });
  };
  const client = new FediFlowClient({
    baseUrl: "http://127.0.0.1:8080",
    token: "t",
    fetch: fetch as typeof globalThis.fetch,
    sleep: async () => {},
  });
  let output = "";
  const command = (json = false, isTTY = false): commands.Command => ({
    client,
    out: { write: (text) => void (output += text), isTTY },
    json,
    sleep: async () => {},
  });
  return { calls, command, output: () => output };
}

const progress = (state: ActivityStatus["state"], delivered: number, pending: number): ActivityStatus => ({
  id: "a1",
  state,
  createdAt: "2026-12-05T00:00:00Z",
  inboxes: { total: delivered + pending, delivered, failed: 0, pending, parked: 0, blocked: 0, superseded: 0 },
});

describe("fediflow status", () => {
  it("asks until the activity is done, printing a line each time it changes (not a terminal)", async () => {
    const answers = [progress("delivering", 0, 2), progress("delivering", 0, 2), progress("delivering", 1, 1), progress("done", 2, 0)];
    const { command, output } = stand([]);
    const run = command();
    let asked = 0;
    run.client.activityStatus = async () => answers[asked++]!;
    const final = await commands.status(run, "a1", { wait: true, intervalMs: 1 });
    expect(final.state).toBe("done");
    expect(asked).toBe(4);
    expect(output().trimEnd().split("\n")).toHaveLength(3);
    expect(output()).toMatch(/2\/2 done/);
  });

  it("prints only the final document with --json", async () => {
    const { command, output } = stand([["GET /v1/activities/a1", 200, progress("done", 1, 0)]]);
    await commands.status(command(true), "a1", { wait: true, intervalMs: 1 });
    expect(JSON.parse(output())).toMatchObject({ id: "a1", state: "done" });
  });
});

describe("fediflow redrive", () => {
  it("redrives one activity, or one host since a duration back", async () => {
    const { calls, command, output } = stand([
      ["POST /v1/activities/a1/redrive", 202, { redriven: 3 }],
      ["POST /v1/hosts/dead.example/redrive", 202, { redriven: 1 }],
    ]);
    await commands.redrive(command(), "a1", { outcomes: "rejected,gone" });
    await commands.redrive(command(), undefined, { host: "dead.example", since: "24h" });
    expect(calls[0]!.body).toEqual({ outcomes: ["rejected", "gone"] });
    const since = Date.parse((calls[1]!.body as { since: string }).since);
    expect(Math.abs(Date.now() - 86_400_000 - since)).toBeLessThan(60_000);
    expect(output()).toBe("redriven: 3 inboxes\nredriven: 1 inbox\n");
  });

  it("refuses what cannot be meant before asking the API", async () => {
    const { calls, command } = stand([]);
    await expect(commands.redrive(command(), "a1", { host: "h" })).rejects.toThrow(CliFailure);
    await expect(commands.redrive(command(), undefined, {})).rejects.toThrow(/activity ID or --host/);
    await expect(commands.redrive(command(), undefined, { host: "h" })).rejects.toThrow(/--since/);
    await expect(commands.redrive(command(), "a1", { outcomes: "delivered" })).rejects.toThrow(/not "delivered"/);
    expect(calls).toEqual([]);
  });
});

describe("fediflow hosts and host", () => {
  it("prints hosts as a table, or as JSON", async () => {
    const listed = [{ host: "dead.example", state: "dead", failures: 7, nextProbeAt: "2026-12-05T01:00:00Z" }];
    const table = stand([["GET /v1/hosts?state=dead&limit=100", 200, { hosts: listed }]]);
    await commands.hosts(table.command(), { state: "dead", limit: 100 });
    expect(table.output()).toBe(
      "HOST          STATE  FAILURES  LAST SUCCESS  NEXT PROBE\ndead.example  dead   7         -             2026-12-05T01:00:00Z\n",
    );
    const json = stand([["GET /v1/hosts", 200, { hosts: listed }]]);
    await commands.hosts(json.command(true), { limit: 100 });
    expect(JSON.parse(json.output())).toEqual(listed);
  });

  it("shows one host's attempts and parked deliveries", async () => {
    const { command, output } = stand([
      [
        "GET /v1/hosts/dead.example/attempts",
        200,
        {
          attempts: [
            {
              at: "t1",
              inbox: "https://dead.example/inbox",
              activityId: "a1",
              outcome: "retrying",
              reason: "connection refused",
              durationMs: 3,
            },
          ],
        },
      ],
      [
        "GET /v1/hosts/dead.example/parked",
        200,
        { parked: [{ activityId: "a2", inbox: "https://dead.example/inbox", parkedAt: "t2" }], next: "c" },
      ],
      ["GET /v1/hosts/dead.example", 200, { host: "dead.example", state: "dead", failures: 7 }],
    ]);
    await commands.host(command(), "dead.example", { limit: 20 });
    expect(output()).toMatch(/dead\.example\s+dead\s+7/);
    expect(output()).toMatch(/recent attempts \(1\):[\s\S]*retrying[\s\S]*connection refused/);
    expect(output()).toMatch(/parked \(1\+\):[\s\S]*a2/);
  });
});

describe("one-line failures and settings", () => {
  it("says what the API answered, or why it could not be reached", async () => {
    const { command } = stand([
      [
        "PUT /v1/hosts/x.example/block",
        403,
        { type: "urn:fediflow:problem:forbidden", title: "Forbidden", detail: "needs an operator token" },
      ],
    ]);
    const refused = await commands.block(command(), "x.example", true).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FediFlowProblem);
    expect(oneLine(refused)).toBe("403 forbidden: needs an operator token");
    // A port just closed: nothing listens there.
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const unreachable = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(oneLine(unreachable)).toBe("cannot reach FediFlow: ECONNREFUSED");
  });

  it("needs FEDIFLOW_URL and FEDIFLOW_TOKEN", () => {
    expect(() => cliSettings({})).toThrow(/FEDIFLOW_URL is not set/);
    expect(() => cliSettings({ FEDIFLOW_URL: "ftp://x" })).toThrow(/not an http\(s\) URL/);
    expect(() => cliSettings({ FEDIFLOW_URL: "http://127.0.0.1:8080" })).toThrow(/FEDIFLOW_TOKEN is not set/);
    expect(cliSettings({ FEDIFLOW_URL: "http://127.0.0.1:8080", FEDIFLOW_TOKEN: " t " })).toEqual({
      url: "http://127.0.0.1:8080",
      token: "t",
    });
  });
});

describe("fediflow quarantine", () => {
  const message = {
    id: "7",
    topic: "delivery-outcomes",
    partition: 3,
    offset: 120,
    key: "h.example",
    group: "outbox-accounting",
    reason: "data-exception",
    error: 'invalid input syntax for type uuid:\n  "x"',
    quarantinedAt: "2026-12-05T10:00:00.000Z",
  };

  it("lists what is set aside, one line each, and says where the next page starts", async () => {
    const { calls, command, output } = stand([["GET /v1/quarantine", 200, { messages: [message], next: "7" }]]);
    await commands.quarantine(command(), { limit: 1 });
    expect(calls.map((call) => call.route)).toEqual(["GET /v1/quarantine?limit=1"]);
    expect(output()).toBe(
      [
        "ID  KEPT AT                   TOPIC              GROUP              REASON          REDRIVEN  ERROR",
        '7   2026-12-05T10:00:00.000Z  delivery-outcomes  outbox-accounting  data-exception  -         invalid input syntax for type uuid: "x"',
        "(more: --cursor 7)",
        "",
      ].join("\n"),
    );
  });

  it("redrives one, and says when a second redrive published nothing", async () => {
    const first = stand([["POST /v1/quarantine/7/redrive", 200, { redriven: 1 }]]);
    await commands.redriveQuarantined(first.command(), "7");
    expect(first.output()).toBe("7 published again\n");
    const again = stand([["POST /v1/quarantine/7/redrive", 200, { redriven: 0 }]]);
    await commands.redriveQuarantined(again.command(true), "7");
    expect(JSON.parse(again.output())).toEqual({ redriven: 0 });
  });
});
