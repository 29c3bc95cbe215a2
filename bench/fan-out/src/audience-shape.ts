/**
 * The audience the benchmark fans out to: `followers` followers of one actor spread over
 * `hosts` servers with a heavy tail (the biggest server holds a few percent of them, the
 * smallest about a dozen, as on the real fediverse), a share of the servers without a shared
 * inbox so their followers need one delivery each.
 */
export interface AudienceShape {
  followers: number;
  hosts: number;
  /** Fraction of hosts whose followers have no shared inbox (0: all shared, 1: none). */
  personalHosts: number;
}

/** A database name that identifies the seeded audience, so a seeded one is reused. */
export function databaseNameOf(shape: AudienceShape): string {
  return `fediflow_bench_fanout_${shape.followers}_${shape.hosts}_${Math.round(shape.personalHosts * 1000)}`;
}

/**
 * SQL that inserts the followers of $1 in one statement. Follower i (1..n) lives on host
 * floor(hosts · ((i − ½)/n)³): the cube gives the heavy tail, and every host gets at least
 * n/(3·hosts) followers. Whether a host has a shared inbox is decided by a multiplicative hash
 * of its index, so personal-inbox hosts are spread over big and small ones alike.
 */
export function seedFollowersSql(shape: AudienceShape): string {
  const personalPermille = Math.round(shape.personalHosts * 1000);
  return `
    INSERT INTO followers (actor_id, follower_id, inbox, shared_inbox, target_inbox, target_host)
    SELECT $1,
           'https://' || host || '/users/u' || i,
           'https://' || host || '/users/u' || i || '/inbox',
           CASE WHEN shared THEN 'https://' || host || '/inbox' END,
           CASE WHEN shared THEN 'https://' || host || '/inbox' ELSE 'https://' || host || '/users/u' || i || '/inbox' END,
           host
      FROM (SELECT i, 'h' || h || '.bench.example' AS host, (h::bigint * 7919) % 1000 >= ${personalPermille} AS shared
              FROM (SELECT i, floor(${shape.hosts} * power((i - 0.5) / ${shape.followers}, 3))::int AS h
                      FROM generate_series(1, ${shape.followers}) AS i) AS placed) AS follower`;
}
