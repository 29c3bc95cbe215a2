import { describe, expect, it } from "vitest";
import { listeningInodes, parseProcStat, readProcessCpu } from "../src/proc-stat";

// A PostgreSQL backend's line as Linux prints it (fields 14/15 utime/stime, 22 starttime).
const backend =
  "4242 (postgres) S 2215 2215 2215 0 -1 4194560 812 0 0 0 153 47 0 0 20 0 1 0 987654 224575488 3311 18446744073709551615 1 1 0 0 0 0 4194304 19935232 84487 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

describe("parseProcStat", () => {
  it("reads utime + stime as seconds and the start time in ticks", () => {
    expect(parseProcStat(backend)).toEqual({ cpuSeconds: 2, startTicks: 987654 });
  });

  it("counts fields from the last parenthesis, so a command name with spaces and parentheses does not shift them", () => {
    const odd = backend.replace("(postgres)", "(a (b) c) d)");
    expect(parseProcStat(odd)).toEqual({ cpuSeconds: 2, startTicks: 987654 });
  });

  it("refuses a line that is not a stat line", () => {
    expect(() => parseProcStat("no parenthesis here")).toThrow();
    expect(() => parseProcStat("1 (x) S 1")).toThrow();
  });

  it("reads this very process, and null for a pid that does not exist", () => {
    expect(readProcessCpu(process.pid)?.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(readProcessCpu(2 ** 22 + 1)).toBeNull();
  });
});

describe("listeningInodes", () => {
  const table = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0",
    "   1: 0100007F:18EB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 20 4 30 10 -1",
    "   2: 0100007F:4AA4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40404 1 0000000000000000 100 0 0 10 0",
  ].join("\n");

  it("finds the listening socket of a port (6379 = 0x18EB), not its established connections", () => {
    expect(listeningInodes(table, 6379)).toEqual(["31337"]);
    expect(listeningInodes(table, 19108)).toEqual(["40404"]);
    expect(listeningInodes(table, 5432)).toEqual([]);
  });
});
