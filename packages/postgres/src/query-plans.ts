import type { Pool } from "./pool";

/** One node of a PostgreSQL plan, as EXPLAIN (FORMAT JSON) writes it. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

const flatten = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(flatten)];

/** Every node of the plan PostgreSQL chooses for a query (EXPLAIN, not run). */
export async function planNodes(pool: Pool, sql: string, params: unknown[] = []): Promise<PlanNode[]> {
  const result = await pool.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  return flatten(result.rows[0]!["QUERY PLAN"][0]!.Plan);
}

/** Tables the plan reads sequentially: on a hot path at scale, there should be none. */
export const sequentialScans = (nodes: PlanNode[]): string[] =>
  nodes.filter((node) => node["Node Type"] === "Seq Scan").map((node) => node["Relation Name"] ?? "?");
