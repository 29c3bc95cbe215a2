import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../src/json-depth";
import { Problem } from "../src/problem";
import { activityBody, actorIdOf, iri, parseBody, parseHostParameter, requestDigest } from "../src/validation";

const accepts = (value: string) => iri.safeParse(value).success;

/** Depth as a plain recursive definition, to check the iterative one against. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe("validators, for any input", () => {
  it("accept every http(s) URL without credentials", () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ["http", "https"], withQueryParameters: true, withFragments: true }), (url) => {
        fc.pre(url.length <= 2048);
        expect(accepts(url)).toBe(true);
      }),
    );
    // A hundred URL parses take seconds on a loaded machine.
  }, 30_000);

  it("refuse every other scheme, and every URL carrying credentials", () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ["ftp", "file", "gopher", "javascript", "data", "ws"] }), (url) => {
        expect(accepts(url)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ["http", "https"] }),
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        (url, user, password) => {
          const withCredentials = url.replace("://", `://${user}:${password}@`);
          expect(accepts(withCredentials)).toBe(false);
        },
      ),
    );
  });

  it("refuse arbitrary strings that are not URLs", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^https?:\/\//i.test(text));
        expect(accepts(text)).toBe(false);
      }),
    );
  });

  it("measure nesting exactly", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, limit) => {
        expect(nestsDeeperThan(value, limit)).toBe(depthOf(value) > limit);
      }),
    );
  });

  it("accept any extra activity properties, and read the actor wherever it is", () => {
    const actor = "https://local.example/users/alice";
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => !["id", "type", "actor", "__proto__"].includes(k)),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        fc.boolean(),
        (extra, embedded) => {
          const activity = { ...extra, id: `${actor}/a/1`, type: "Create", actor: embedded ? { id: actor, type: "Person" } : actor };
          const body = parseBody(activityBody, { actor, activity, audience: { followers: true } });
          expect(actorIdOf(body.activity)).toBe(actor);
        },
      ),
    );
  });

  it("digest requests deterministically and tell different ones apart", () => {
    const actor = "https://local.example/users/alice";
    const body = (type: string, key?: string) =>
      parseBody(activityBody, {
        actor,
        activity: { id: `${actor}/a/1`, type, actor },
        audience: { followers: true },
        ...(key ? { idempotencyKey: key } : {}),
      });
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z]{1,20}$/), fc.stringMatching(/^[A-Za-z]{1,20}$/), (a, b) => {
        expect(requestDigest(body(a)) === requestDigest(body(b))).toBe(a === b);
      }),
    );
  });

  it("normalise host names idempotently, and refuse anything with a path or credentials", () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const once = parseHostParameter(domain);
        expect(once).toBe(domain.toLowerCase());
        expect(parseHostParameter(once)).toBe(once);
      }),
    );
    fc.assert(
      fc.property(fc.domain(), fc.constantFrom("/", "?", "#", "@", " "), (domain, separator) => {
        expect(() => parseHostParameter(`${domain}${separator}x`)).toThrow(Problem);
      }),
    );
  });
});
