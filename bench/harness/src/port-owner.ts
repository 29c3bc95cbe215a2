import { readdirSync, readFileSync, readlinkSync } from "node:fs";

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
