import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { PermanentFailure, classifyFailure } from "../src";

/** What pg's DatabaseError carries of a server's ErrorResponse (this package does not depend on pg). */
function databaseError(code: string): Error {
  return Object.assign(new Error("from the server"), { name: "error", code, severity: "ERROR" });
}

/** A broker error as kafkajs builds it from an error code. */
function protocolError(type: string, code: number, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));
}

class UnusableUrl extends Error {
  constructor() {
    super("not an http(s) URL: ftp://x.example/");
    this.name = "UnusableUrl";
  }
}

describe("classifyFailure", () => {
  it("holds PostgreSQL data exceptions (class 22) and integrity violations (class 23) permanent", () => {
    expect(classifyFailure(databaseError("23503"))).toEqual({ kind: "permanent", reason: "integrity-constraint" });
    expect(classifyFailure(databaseError("23505"))).toEqual({ kind: "permanent", reason: "integrity-constraint" });
    expect(classifyFailure(databaseError("22001"))).toEqual({ kind: "permanent", reason: "data-exception" });
    expect(classifyFailure(databaseError("22P05"))).toEqual({ kind: "permanent", reason: "data-exception" });
  });

  it("holds other PostgreSQL states transient: the database away, a deadlock, a cancelled statement", () => {
    for (const code of ["57P01", "08006", "40P01", "57014", "53300"]) expect(classifyFailure(databaseError(code))).toEqual({ kind: "transient" });
  });

  it("holds an unusable URL, a message too large for the broker and a marked failure permanent", () => {
    expect(classifyFailure(new UnusableUrl())).toEqual({ kind: "permanent", reason: "unusable-url" });
    const tooLarge = protocolError("MESSAGE_TOO_LARGE", 10, false);
    expect(classifyFailure(tooLarge)).toEqual({ kind: "permanent", reason: "message-too-large" });
    expect(classifyFailure(new PermanentFailure("no such activity"))).toEqual({ kind: "permanent", reason: "marked-permanent" });
  });

  it("finds a permanent error wrapped by kafkajs, by a cause or in an AggregateError", () => {
    const tooLarge = protocolError("MESSAGE_TOO_LARGE", 10, false);
    expect(classifyFailure(new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 5, retryTime: 100 }))).toMatchObject({ kind: "permanent" });
    expect(classifyFailure(new Error("report failed", { cause: databaseError("23503") }))).toMatchObject({ reason: "integrity-constraint" });
    expect(classifyFailure(new AggregateError([new Error("x"), new UnusableUrl()]))).toMatchObject({ reason: "unusable-url" });
  });

  it("holds everything else transient: refused connections, timeouts, a broker away, non-errors", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const pipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    const notLeader = protocolError("NOT_LEADER_FOR_PARTITION", 6, true);
    for (const error of [refused, pipe, notLeader, new Error("timeout"), "a string", undefined, null, { code: "23503" }])
      expect(classifyFailure(error)).toEqual({ kind: "transient" });
  });

  it("is not caught out by an error that wraps itself", () => {
    const loop = new Error("loop");
    (loop as { cause?: unknown }).cause = loop;
    expect(classifyFailure(loop)).toEqual({ kind: "transient" });
  });
});
