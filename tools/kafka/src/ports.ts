import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The first port Linux hands out to outgoing connections (32768 unless the machine says else). */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    return Number(low) || 32768;
  } catch {
    return 32768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port free on 127.0.0.1 right now, below Linux's ephemeral range: the OS's own pick
 * (port 0) lies inside that range, where an outgoing connection of any process can take it
 * between this call and the server's bind.
 */
export async function freePort(): Promise<number> {
  const high = Math.min(ephemeralLow(), 32768) - 1;
  const low = 10_000;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}
