import { describe, expect, it } from "vitest";
import { acknowledgeBody } from "../src/gone-followers-api";
import { Problem } from "../src/problem";
import { parseBody } from "../src/validation";

const problemOf = (body: unknown): Problem | undefined => {
  try {
    parseBody(acknowledgeBody, body);
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  return undefined;
};

describe("acknowledging gone followers", () => {
  it("takes ids, a position to acknowledge up to, or both", () => {
    expect(parseBody(acknowledgeBody, { ids: ["1", "22"] })).toEqual({ ids: ["1", "22"] });
    expect(parseBody(acknowledgeBody, { upTo: "40", ids: ["41"] })).toEqual({ upTo: "40", ids: ["41"] });
  });

  it("refuses a body that names nothing, positions that are not decimal strings, and unknown fields", () => {
    expect(problemOf({})?.detail).toContain("name ids, upTo, or both");
    expect(problemOf({ ids: [] })?.status).toBe(400);
    expect(problemOf({ ids: [3] })?.status).toBe(400);
    expect(problemOf({ upTo: "-1" })?.status).toBe(400);
    expect(problemOf({ upTo: "1", all: true })?.status).toBe(400);
  });
});
