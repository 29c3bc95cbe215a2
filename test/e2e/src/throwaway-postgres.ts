import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "@fediflow/local-stack";

const run = promisify(execFile);
const binaries = () => {
  const version = readdirSync("/usr/lib/postgresql").sort().pop();
  if (!version) throw new Error("no PostgreSQL server under /usr/lib/postgresql (Debian package postgresql)");
  return `/usr/lib/postgresql/${version}/bin`;
};

/** Runs a PostgreSQL binary as the postgres user (the server refuses to run as root). */
async function asPostgres(binary: string, args: string[]): Promise<string> {
  const command = path.join(binaries(), binary);
  const { stdout } = process.getuid?.() === 0 ? await run("runuser", ["-u", "postgres", "--", command, ...args]) : await run(command, args);
  return stdout;
}

/**
 * A PostgreSQL cluster of the test's own on a free loopback port, made with initdb and run
 * with pg_ctl, so a test can stop, restart or replicate it without touching the machine's
 * cluster (or its pg_hba.conf). Trust authentication on 127.0.0.1 only.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly directory: string,
    readonly port: number,
  ) {}

  /** A new primary. */
  static async create(settings: Record<string, string> = {}): Promise<ThrowawayPostgres> {
    const { directory, port } = await ThrowawayPostgres.prepare();
    await asPostgres("initdb", ["-D", directory, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-instructions"]);
    const cluster = new ThrowawayPostgres(directory, port);
    await cluster.configure({ wal_level: "replica", max_wal_senders: "5", ...settings });
    writeFileSync(
      path.join(directory, "pg_hba.conf"),
      "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n",
    );
    await cluster.start();
    return cluster;
  }

  /** A streaming replica of a primary (pg_basebackup -R), read-only. */
  static async replicaOf(primary: ThrowawayPostgres): Promise<ThrowawayPostgres> {
    const { directory, port } = await ThrowawayPostgres.prepare();
    await asPostgres("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(primary.port),
      "-U",
      "postgres",
      "-D",
      directory,
      "-R",
      "-X",
      "stream",
    ]);
    const replica = new ThrowawayPostgres(directory, port);
    await replica.configure({ hot_standby: "on" });
    await replica.start();
    return replica;
  }

  private static async prepare(): Promise<{ directory: string; port: number }> {
    const directory = mkdtempSync(path.join(os.tmpdir(), "fediflow-pg-"));
    if (process.getuid?.() === 0)
      chownSync(directory, Number((await run("id", ["-u", "postgres"])).stdout), Number((await run("id", ["-g", "postgres"])).stdout));
    return { directory, port: await freePort() };
  }

  private async configure(settings: Record<string, string>): Promise<void> {
    const lines = Object.entries({
      port: String(this.port),
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${this.directory}'`,
      fsync: "off",
      ...settings,
    })
      .map(([key, value]) => `${key} = ${value}`)
      .join("\n");
    await run("bash", ["-c", `cat >> ${path.join(this.directory, "postgresql.auto.conf")} <<'EOF'\n${lines}\nEOF`]);
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): Promise<string> {
    return asPostgres("pg_ctl", ["-D", this.directory, "-l", path.join(this.directory, "server.log"), "-w", "-t", "60", "start"]);
  }

  /** Stops at once (fast mode: sessions are disconnected), as a crash or a restart would. */
  stop(): Promise<string> {
    return asPostgres("pg_ctl", ["-D", this.directory, "-m", "fast", "-w", "stop"]);
  }

  restart(): Promise<string> {
    return asPostgres("pg_ctl", ["-D", this.directory, "-m", "fast", "-w", "restart", "-l", path.join(this.directory, "server.log")]);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.directory, { recursive: true, force: true });
  }
}
