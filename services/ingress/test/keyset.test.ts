import { describe, expect, it } from "vitest";
import { inboxesQuery } from "../src/inboxes-api";
import { decodeCursor, encodeCursor, parseQuery } from "../src/keyset";
import { Problem } from "../src/problem";

const problemOf = (run: () => unknown): Problem | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  return undefined;
};

describe("keyset pages", () => {
  it("takes limit 1 to 1000, 100 by default", () => {
    expect(parseQuery(inboxesQuery, {})).toEqual({ limit: 100 });
    expect(parseQuery(inboxesQuery, { limit: "1000", outcome: "pending" })).toEqual({ limit: 1000, outcome: "pending" });
    expect(problemOf(() => parseQuery(inboxesQuery, { limit: "1001" }))?.status).toBe(400);
    expect(problemOf(() => parseQuery(inboxesQuery, { limit: "0" }))?.status).toBe(400);
    expect(problemOf(() => parseQuery(inboxesQuery, { outcome: "retrying" }))?.extra).toMatchObject({ errors: [{ pointer: "?outcome" }] });
  });

  it("gives back the key a cursor was made of, and refuses a cursor it did not make", () => {
    const key = ["https://b.example/users/ü/inbox"];
    expect(decodeCursor(encodeCursor(key), 1)).toEqual(key);
    expect(decodeCursor(undefined, 1)).toBeNull();
    expect(problemOf(() => decodeCursor("not-a-cursor", 1))?.status).toBe(400);
    expect(problemOf(() => decodeCursor(encodeCursor(["a", "b"]), 1))?.status).toBe(400);
  });
});
