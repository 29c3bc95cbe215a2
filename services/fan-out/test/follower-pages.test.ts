import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, planNodes, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { FollowerPages, firstPageSql, nextPageSql } from "../src/follower-pages";
import { compareTargets, type Target } from "../src/fold-inboxes";

let database: ScratchDatabase;
let pool: Pool;
const big = "https://local.example/users/big";
const small = "https://local.example/users/small";

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "fan-out-test", max: 4 });
  await pool.query(
    "INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $1, 'rsa', '\\x00'), ($2, $2, 'rsa', '\\x00')",
    [big, small],
  );
  // A million followers on 30,000 hosts, one in ten hosts without a shared inbox.
  await pool.query(
    `INSERT INTO followers (actor_id, follower_id, inbox, shared_inbox, target_inbox, target_host)
     SELECT $1, 'https://' || host || '/users/u' || i, 'https://' || host || '/users/u' || i || '/inbox', NULL,
            CASE WHEN h % 10 = 9 THEN 'https://' || host || '/users/u' || i || '/inbox' ELSE 'https://' || host || '/inbox' END, host
       FROM (SELECT i, h, 'h' || h || '.example' AS host
               FROM (SELECT i, floor(30000 * power((i - 0.5) / 1000000, 3))::int AS h FROM generate_series(1, 1000000) AS i) s) f`,
    [big],
  );
  await pool.query("VACUUM ANALYZE followers");
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("the followers' keyset pages", () => {
  it("is a range scan of followers_by_target from the cursor at a million followers, with no sort", async () => {
    const explain = (sql: string, params: unknown[]) => planNodes(pool, sql, params);
    const first = await explain(firstPageSql, [big, 5000]);
    const next = await explain(nextPageSql, [big, 5000, "h15000.example", "https://h15000.example/inbox"]);
    for (const plan of [first, next]) {
      const scan = plan.find((node) => node["Node Type"].startsWith("Index"));
      expect(scan).toMatchObject({ "Node Type": "Index Only Scan", "Index Name": "followers_by_target" });
      expect(plan.map((node) => node["Node Type"])).not.toContain("Sort");
    }
    // The cursor bounds the scan itself (Index Cond), rather than filtering rows read from the start.
    expect(next.find((node) => node["Node Type"] === "Index Only Scan")!["Index Cond"]).toMatch(/ROW\(target_host, target_inbox\) >/);
  });

  it("streams every distinct target once, in order, and resumes strictly after a cursor", async () => {
    await pool.query(
      `INSERT INTO followers (actor_id, follower_id, inbox, target_inbox, target_host)
       SELECT $1, 'f' || i, 'x', CASE WHEN i % 3 = 0 THEN 'https://s' || (i % 7) || '.example/inbox' ELSE 'https://p' || (i % 5) || '.example/u/' || i END,
              CASE WHEN i % 3 = 0 THEN 's' || (i % 7) || '.example' ELSE 'p' || (i % 5) || '.example' END
         FROM generate_series(1, 500) AS i`,
      [small],
    );
    const expected = await pool.query<Target>(
      `SELECT DISTINCT target_host AS host, target_inbox AS inbox FROM followers WHERE actor_id = $1 ORDER BY 1, 2`,
      [small],
    );
    const pages = new FollowerPages(pool, 37);
    const collect = async (after: Target | null) => {
      const out: Target[] = [];
      for await (const page of pages.after(small, after)) out.push(...page);
      return out;
    };
    const all = await collect(null);
    expect(all).toEqual(expected.rows);
    expect(all.length).toBe(7 + 334);
    for (let i = 1; i < all.length; i += 1) expect(compareTargets(all[i - 1]!, all[i]!)).toBeLessThan(0);
    expect(await collect(all[99]!)).toEqual(all.slice(100));
    expect(await collect(all[all.length - 1]!)).toEqual([]);
  });
});
