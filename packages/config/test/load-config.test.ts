import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, count, flag, list, loadConfig, port } from "../src";

const schema = z.object({
  FEDIFLOW_PORT: port(8080),
  FEDIFLOW_FLAG: flag(false),
  FEDIFLOW_LIST: list(),
  FEDIFLOW_COUNT: count(3),
});

describe("loadConfig", () => {
  it("applies defaults for unset and empty variables", () => {
    expect(loadConfig(schema, { FEDIFLOW_LIST: "" })).toEqual({
      FEDIFLOW_PORT: 8080,
      FEDIFLOW_FLAG: false,
      FEDIFLOW_LIST: [],
      FEDIFLOW_COUNT: 3,
    });
  });

  it("parses values", () => {
    const config = loadConfig(schema, {
      FEDIFLOW_PORT: "9000",
      FEDIFLOW_FLAG: "true",
      FEDIFLOW_LIST: "a, b,,c",
      FEDIFLOW_COUNT: "7",
    });
    expect(config).toEqual({ FEDIFLOW_PORT: 9000, FEDIFLOW_FLAG: true, FEDIFLOW_LIST: ["a", "b", "c"], FEDIFLOW_COUNT: 7 });
  });

  it("names every malformed variable", () => {
    try {
      loadConfig(schema, { FEDIFLOW_PORT: "70000", FEDIFLOW_FLAG: "maybe" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("FEDIFLOW_PORT");
      expect(problems).toContain("FEDIFLOW_FLAG");
    }
  });
});
