import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (CLK_TCK; 100 on Linux x86-64). */
const ticksPerSecond = 100;

export interface ProcessCpu {
  /** utime + stime, seconds: every thread of the process, its children not included. */
  cpuSeconds: number;
  /** When the process started, clock ticks since boot: with the pid, it names one process. */
  startTicks: number;
}

/**
 * Reads one /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold
 * spaces or parentheses itself, so fields are counted from the last ")".
 */
export function parseProcStat(line: string): ProcessCpu {
  const close = line.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (![utime, stime, startTicks].every(Number.isFinite)) throw new Error(`unreadable /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  return { cpuSeconds: (utime + stime) / ticksPerSecond, startTicks };
}

/** The process's CPU so far; null once it has exited (a PostgreSQL backend that closed). */
export function readProcessCpu(pid: number): ProcessCpu | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** Now, in the clock ticks of `startTicks` (seconds since boot from /proc/uptime). */
export function uptimeTicks(): number {
  return Math.floor(Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * ticksPerSecond);
}

/** Inodes of the TCP sockets listening on a port, from /proc/net/tcp and tcp6 text. */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return (
    table
      .split("\n")
      .slice(1)
      .map((row) => row.trim().split(/\s+/))
      // local_address is "ADDR:PORT" in hex; state 0A is LISTEN; field 10 is the inode.
      .filter((cols) => cols.length > 9 && cols[1]!.endsWith(`:${hexPort}`) && cols[3] === "0A")
      .map((cols) => cols[9]!)
  );
}

/**
 * The pid of the process listening on a local TCP port (the Redis or Kafka a URL names), or
 * null: found through the socket's inode among every process's open files, so it takes the
 * rights to read them (the same user, or root).
 */
export function pidListeningOn(port: number): number | null {
  const tables = ["/proc/net/tcp", "/proc/net/tcp6"].map((file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  });
  const sockets = new Set(tables.flatMap((table) => listeningInodes(table, port)).map((inode) => `socket:[${inode}]`));
  if (sockets.size === 0) return null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (sockets.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // The file closed while we looked.
      }
    }
  }
  return null;
}
