import { describe, expect, it } from "vitest";
import { loadIngressConfig } from "../src/config";
import { confinedTo, mayActAsActor, mayOperate, parseApiToken } from "../src/principal";

describe("API tokens and their scopes", () => {
  it("reads an application's, an operator's and a bare (admin) entry", () => {
    expect(parseApiToken("app:blog=s3cret")).toEqual({ token: "s3cret", principal: { kind: "application", application: "blog" } });
    expect(parseApiToken("operator=op-token")).toEqual({ token: "op-token", principal: { kind: "operator" } });
    expect(parseApiToken("dev-token")).toEqual({ token: "dev-token", principal: { kind: "admin" } });
    // A bare token may itself hold "=" (base64 padding): only the two scope prefixes are read.
    expect(parseApiToken("YWJj==")).toEqual({ token: "YWJj==", principal: { kind: "admin" } });
  });

  it("refuses a scoped entry without a token or with an unusable application name, never quoting the token", () => {
    expect(() => parseApiToken("operator=")).toThrow(/no token/);
    expect(() => parseApiToken("app:=abc")).toThrow(/application name/);
    expect(() => parseApiToken("app:Blog Engine=abc")).toThrow(/application name/);
    expect(() => parseApiToken("app:Blog Engine=abc")).not.toThrow(/abc/);
  });

  it("gives each scope what it may do", () => {
    const app = parseApiToken("app:blog=a").principal;
    const operator = parseApiToken("operator=o").principal;
    const admin = parseApiToken("x").principal;
    expect([mayOperate(app), mayActAsActor(app), confinedTo(app)]).toEqual([false, true, "blog"]);
    expect([mayOperate(operator), mayActAsActor(operator), confinedTo(operator)]).toEqual([true, false, null]);
    expect([mayOperate(admin), mayActAsActor(admin), confinedTo(admin)]).toEqual([true, true, null]);
  });

  it("refuses a configuration that gives one token two scopes, or a bad entry, saying which", () => {
    const env = { FEDIFLOW_KEY_ENCRYPTION_KEY: "x" };
    expect(() => loadIngressConfig({ ...env, FEDIFLOW_API_TOKENS: "app:a=same,operator=same" })).toThrow(/appears twice/);
    expect(() => loadIngressConfig({ ...env, FEDIFLOW_API_TOKENS: "admin,app:=t" })).toThrow(/entry 2/);
    const loaded = loadIngressConfig({ ...env, FEDIFLOW_API_TOKENS: "admin, app:blog=b ,operator=o" });
    expect(loaded.FEDIFLOW_API_TOKENS.map((entry) => entry.principal.kind)).toEqual(["admin", "application", "operator"]);
  });
});
