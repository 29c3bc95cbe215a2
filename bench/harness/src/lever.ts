import type { SystemRun } from "./results";

/** One change to FediFlow's settings, measured against its defaults in the same run. */
export interface Lever {
  name: string;
  env: Record<string, string>;
}

/** `--lever "fetch-wait-1s:FEDIFLOW_KAFKA_FETCH_WAIT_MS=1000,OTHER=2"` */
export function parseLever(text: string): Lever {
  const colon = text.indexOf(":");
  if (colon < 1) throw new Error(`--lever ${text}: expected NAME:VARIABLE=VALUE[,VARIABLE=VALUE]`);
  const env: Record<string, string> = {};
  for (const pair of text
    .slice(colon + 1)
    .split(",")
    .filter(Boolean)) {
    const [variable, ...value] = pair.split("=");
    if (!variable || !/^(FEDIFLOW|OTEL)_[A-Z0-9_]+$/.test(variable) || value.length === 0) {
      throw new Error(`--lever ${text}: "${pair}" is not FEDIFLOW_…=VALUE or OTEL_…=VALUE`);
    }
    env[variable] = value.join("=");
  }
  if (Object.keys(env).length === 0) throw new Error(`--lever ${text}: no setting to change`);
  return { name: text.slice(0, colon), env };
}

/** FediFlow idle and in S1, on one side of a lever. */
export interface LeverSide {
  idleCpuPerSecond: number;
  idleSupportCpuPerSecond: number;
  s1: SystemRun;
}

export interface LeverResult extends Lever {
  before: LeverSide;
  after: LeverSide;
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const change = (before: number, after: number) =>
  before === 0 ? "" : ` (${after >= before ? "+" : ""}${Math.round(((after - before) / before) * 100)}%)`;

/** The lever table of docs/performance.md: each figure before → after, measured back to back. */
export function leverTable(levers: LeverResult[]): string[] {
  if (levers.length === 0) return [];
  const row = (label: string, pick: (side: LeverSide) => number, digits: number) =>
    levers.map((lever) => {
      const [before, after] = [pick(lever.before), pick(lever.after)];
      return `| ${lever.name} | ${label} | ${fixed(before, digits)} | ${fixed(after, digits)}${change(before, after)} |`;
    });
  return [
    "Levers (FediFlow with its defaults, then with the lever's settings, back to back in this run; idle and S1 only):",
    "",
    ...levers.map(
      (lever) =>
        `- ${lever.name}: ${Object.entries(lever.env)
          .map(([name, value]) => `${name}=${value}`)
          .join(", ")}`,
    ),
    "",
    "| lever | figure | before | after |",
    "| --- | --- | --- | --- |",
    ...row("idle CPU-s per second, five processes", (side) => side.idleCpuPerSecond, 3),
    ...row("idle CPU-s per second, what it needs", (side) => side.idleSupportCpuPerSecond, 3),
    ...row("S1 deliveries/s", (side) => side.s1.deliveriesPerSecond, 0),
    ...row("S1 CPU-s per 1,000, own", (side) => side.s1.cpuSecondsPer1000, 2),
    ...row("S1 CPU-s per 1,000, with all it needs", (side) => side.s1.cpuSecondsPer1000All, 2),
    ...row("S1 first delivery (ms)", (side) => side.s1.firstMs ?? 0, 0),
    "",
  ];
}
