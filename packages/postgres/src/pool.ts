import pg from "pg";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// BIGINT and NUMERIC arrive as strings by default; counts here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PoolOptions {
  connectionString: string;
  /** Connections, default 10. */
  max?: number;
  /** Shows in pg_stat_activity.application_name. */
  applicationName: string;
}

/** One pool per service process. */
export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (a PostgreSQL restart) must not crash the process;
  // the pool replaces it on next use.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Runs fn in one transaction on one connection; rolls back when it throws. The connection can
 * die while the transaction waits between statements (a PostgreSQL restart while the relay
 * publishes to Kafka): pg then emits 'error' on the checked-out client, which would crash the
 * process without a listener. It is caught here, the transaction fails, and the broken client
 * is destroyed instead of going back to the pool.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw broken ?? error;
  } finally {
    client.off("error", onError);
    client.release(broken ?? false);
  }
}

/** True when the pool can run a query: the readiness check of every service with a database. */
export async function databaseReachable(pool: Pool): Promise<boolean> {
  await pool.query("SELECT 1");
  return true;
}
