import type { ActivityStatus, FediFlowClient, HostState, RedrivableOutcome } from "@fediflow/client";
import { CliFailure } from "./failure";
import { progressLine } from "./progress-bar";
import { hostReport, hostsTable, quarantineTable } from "./render";

/** Where a command writes: the terminal redraws a progress line in place, a pipe gets new lines. */
export interface Terminal {
  write(text: string): void;
  isTTY: boolean;
}

export interface Command {
  client: FediFlowClient;
  out: Terminal;
  /** Machine-readable output: one JSON document, nothing else on stdout. */
  json: boolean;
  sleep(ms: number): Promise<void>;
}

const printJson = (out: Terminal, value: unknown) => out.write(`${JSON.stringify(value, null, 2)}\n`);

/** An activity's progress; with `wait`, redrawn until it is done. */
export async function status(
  { client, out, json, sleep }: Command,
  id: string,
  options: { wait: boolean; intervalMs: number },
): Promise<ActivityStatus> {
  let shown = "";
  for (;;) {
    const current = await client.activityStatus(id);
    if (!json) {
      const line = progressLine(current);
      if (out.isTTY) out.write(`\r${line}\x1b[K`);
      else if (line !== shown) out.write(`${line}\n`);
      shown = line;
    }
    if (current.state === "done" || !options.wait) {
      if (json) printJson(out, current);
      else if (out.isTTY) out.write("\n");
      return current;
    }
    await sleep(options.intervalMs);
  }
}

const hostStates: HostState[] = ["healthy", "failing", "dead", "blocked"];

export async function hosts({ client, out, json }: Command, options: { state?: string; limit: number }): Promise<void> {
  if (options.state !== undefined && !hostStates.includes(options.state as HostState)) {
    throw new CliFailure(`--state must be one of ${hostStates.join(", ")}`);
  }
  const listed = await client.hosts({ state: options.state as HostState | undefined, limit: options.limit });
  if (json) printJson(out, listed);
  else out.write(hostsTable(listed));
}

export async function host({ client, out, json }: Command, name: string, options: { limit: number }): Promise<void> {
  const [found, attempts, parked] = await Promise.all([
    client.host(name),
    client.hostAttempts(name, options.limit),
    client.parked(name, { limit: options.limit }),
  ]);
  if (json) printJson(out, { host: found, attempts, parked: { items: parked.items, next: parked.next } });
  else out.write(hostReport(found, attempts, parked));
}

const redrivable: RedrivableOutcome[] = ["rejected", "expired", "gone", "discarded"];

function outcomesOf(list: string | undefined): RedrivableOutcome[] | undefined {
  if (list === undefined) return undefined;
  const outcomes = list.split(",").map((outcome) => outcome.trim());
  const unknown = outcomes.find((outcome) => !redrivable.includes(outcome as RedrivableOutcome));
  if (unknown !== undefined) throw new CliFailure(`--outcomes takes ${redrivable.join(", ")}, not "${unknown}"`);
  return outcomes as RedrivableOutcome[];
}

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An RFC 3339 time as given, or a duration back from now (`90m`, `24h`, `7d`). */
export function timeOf(value: string, now = Date.now()): string {
  const ago = /^(\d+)([mhd])$/.exec(value.trim());
  return ago ? new Date(now - Number(ago[1]) * units[ago[2]!]!).toISOString() : value;
}

export interface RedriveOptions {
  host?: string;
  since?: string;
  until?: string;
  outcomes?: string;
  requestId?: string;
}

/** One activity's settled failures, or one host's across activities since a time. */
export async function redrive({ client, out, json }: Command, id: string | undefined, options: RedriveOptions): Promise<void> {
  if ((id === undefined) === (options.host === undefined)) throw new CliFailure("redrive takes an activity ID or --host HOST, not both");
  const outcomes = outcomesOf(options.outcomes);
  let answer: { redriven: number };
  if (id !== undefined) {
    if (options.since !== undefined || options.until !== undefined) throw new CliFailure("--since and --until go with --host");
    answer = await client.redriveActivity(id, { outcomes, requestId: options.requestId });
  } else {
    if (options.since === undefined) throw new CliFailure("a host redrive needs --since (an RFC 3339 time, or 24h, 7d back from now)");
    answer = await client.redriveHost(options.host!, {
      since: timeOf(options.since),
      until: options.until && timeOf(options.until),
      outcomes,
      requestId: options.requestId,
    });
  }
  if (json) printJson(out, answer);
  else out.write(`redriven: ${answer.redriven} ${answer.redriven === 1 ? "inbox" : "inboxes"}\n`);
}

export async function block({ client, out, json }: Command, name: string, blocked: boolean): Promise<void> {
  if (blocked) await client.blockHost(name);
  else await client.unblockHost(name);
  if (json) printJson(out, { host: name, blocked });
  else out.write(`${name} ${blocked ? "blocked" : "unblocked"}\n`);
}

/** What consumers set aside as failing for good, oldest first (operator token). */
export async function quarantine({ client, out, json }: Command, options: { limit: number; cursor?: string }): Promise<void> {
  const page = await client.quarantine({ limit: options.limit, cursor: options.cursor });
  if (json) printJson(out, page);
  else out.write(quarantineTable(page.items, page.next));
}

/** Publishes a quarantined message to its topic again (once: a second redrive does nothing). */
export async function redriveQuarantined({ client, out, json }: Command, id: string): Promise<void> {
  const answer = await client.redriveQuarantined(id);
  if (json) printJson(out, answer);
  else out.write(answer.redriven > 0 ? `${id} published again\n` : `${id} was already redriven: nothing published\n`);
}
