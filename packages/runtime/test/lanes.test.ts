import { describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { Lanes } from "../src";

describe("Lanes", () => {
  it("keeps order within a lane and overlaps lanes", async () => {
    const lanes = new Lanes();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
    };
    await Promise.all([lanes.run("a", task("a1", 30)), lanes.run("a", task("a2", 1)), lanes.run("b", task("b1", 5))]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("end b1")).toBeLessThan(log.indexOf("end a1"));
    expect(lanes.active).toBe(0);
  });

  it("shows a running task what waits behind it in its lane", async () => {
    const lanes = new Lanes<string>();
    let seen: string[] = [];
    const first = lanes.run("a", async () => {
      await sleep(20);
      seen = lanes.waiting("a");
    }, "one");
    const second = lanes.run("a", async () => undefined, "two");
    const third = lanes.run("a", async () => undefined, "three");
    const other = lanes.run("b", async () => undefined, "elsewhere");
    await Promise.all([first, second, third, other]);
    expect(seen).toEqual(["two", "three"]);
  });
});
