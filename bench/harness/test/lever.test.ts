import { describe, expect, it } from "vitest";
import { parseLever } from "../src/lever";

describe("--lever", () => {
  it("reads a name and the settings it changes", () => {
    expect(parseLever("fetch-wait-1s:FEDIFLOW_KAFKA_FETCH_WAIT_MS=1000,OTEL_SDK_DISABLED=true")).toEqual({
      name: "fetch-wait-1s",
      env: { FEDIFLOW_KAFKA_FETCH_WAIT_MS: "1000", OTEL_SDK_DISABLED: "true" },
    });
    expect(parseLever("url:FEDIFLOW_X=a=b").env).toEqual({ FEDIFLOW_X: "a=b" });
  });

  it("refuses what is not a FediFlow or OpenTelemetry setting, naming it", () => {
    expect(() => parseLever("FEDIFLOW_X=1")).toThrow(/expected NAME:VARIABLE=VALUE/);
    expect(() => parseLever("x:PATH=/tmp")).toThrow(/"PATH=\/tmp" is not FEDIFLOW_/);
    expect(() => parseLever("x:FEDIFLOW_X")).toThrow(/"FEDIFLOW_X" is not/);
    expect(() => parseLever("x:")).toThrow(/no setting to change/);
  });
});
