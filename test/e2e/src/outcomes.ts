import type { TestStack } from "./test-stack";

export interface StoredOutcome {
  inbox: string;
  outcome: string;
  status: number | null;
  reason: string | null;
  attempt: number;
}

/** The settled outcome of every inbox of an activity, by inbox (what outbox accounting counted). */
export async function storedOutcomes(t: TestStack, activityId: string): Promise<Map<string, StoredOutcome>> {
  const result = await t.db.query<StoredOutcome>(
    "SELECT inbox, outcome, status, reason, attempt FROM delivery_outcomes WHERE activity_id = $1",
    [activityId],
  );
  return new Map(result.rows.map((row) => [row.inbox, row]));
}
