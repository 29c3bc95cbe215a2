/**
 * The outcome of one inbox of an activity as the API names it (GET /v1/activities/{id}/inboxes)
 * and as outbox records it: the outcome classes of the topic, with `retrying` shown as `pending`.
 */
export const listedOutcomes = ["delivered", "pending", "parked", "gone", "rejected", "expired", "superseded", "blocked", "discarded"] as const;
export type ListedOutcome = (typeof listedOutcomes)[number];

/** Outcomes a redrive may send again: settled failures, nothing delivered, waiting, blocked or superseded. */
export const redrivableOutcomes = ["gone", "rejected", "expired", "discarded"] as const satisfies readonly ListedOutcome[];
export type RedrivableOutcome = (typeof redrivableOutcomes)[number];
