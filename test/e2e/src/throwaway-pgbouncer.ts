import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@fediflow/local-stack";

/**
 * PgBouncer (Debian's 1.18) in transaction pooling mode in front of a PostgreSQL server, on a
 * free loopback port: every FediFlow service must work through it (no session state, no named
 * prepared statements, no session advisory locks).
 */
export class ThrowawayPgBouncer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(serverPort: number, poolSize = 20): Promise<ThrowawayPgBouncer> {
    const port = await freePort();
    const directory = mkdtempSync(path.join(os.tmpdir(), "fediflow-pgbouncer-"));
    writeFileSync(path.join(directory, "userlist.txt"), '"postgres" ""\n');
    writeFileSync(
      path.join(directory, "pgbouncer.ini"),
      [
        "[databases]",
        `* = host=127.0.0.1 port=${serverPort} user=postgres`,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        `listen_port = ${port}`,
        `unix_socket_dir = ${directory}`,
        "auth_type = any",
        `auth_file = ${path.join(directory, "userlist.txt")}`,
        "pool_mode = transaction",
        // The tests ask the admin console who is connected (SHOW CLIENTS).
        "admin_users = postgres",
        `default_pool_size = ${poolSize}`,
        "max_client_conn = 500",
        // Sent by node-postgres at connect; PgBouncer tracks application_name itself.
        "ignore_startup_parameters = extra_float_digits",
        "",
      ].join("\n"),
    );
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const file of ["", "pgbouncer.ini", "userlist.txt"]) chownSync(path.join(directory, file), 101, 104);
    }
    // PgBouncer refuses to run as root.
    const command = asRoot
      ? ["runuser", ["-u", "postgres", "--", "pgbouncer", path.join(directory, "pgbouncer.ini")]]
      : ["pgbouncer", [path.join(directory, "pgbouncer.ini")]];
    const child = spawn(command[0] as string, command[1] as string[], { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes("process up")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`pgbouncer exited with ${code}`)));
    });
    return new ThrowawayPgBouncer(child, port);
  }

  /** Application names of the clients connected to the pooler now (from its admin console). */
  async clients(): Promise<string[]> {
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: this.url("pgbouncer") });
    await admin.connect();
    try {
      const result = await admin.query<{ application_name: string }>("SHOW CLIENTS");
      return result.rows.map((row) => row.application_name);
    } finally {
      await admin.end();
    }
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
