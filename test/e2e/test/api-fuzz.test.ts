import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: 1 } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One route with a request it accepts; the property mutates one part of it. */
interface Route {
  method: string;
  /** Path segments; a `{name}` segment is a path parameter from `params`. */
  path: string[];
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Json;
}

function routes(): Route[] {
  const host = t.fediverse.hosts[0]!;
  const note = createNote(actor.id) as { [key: string]: Json };
  return [
    { method: "PUT", path: ["actors"], body: { id: actor.id, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem } },
    {
      method: "POST",
      path: ["followers"],
      body: {
        actor: actor.id,
        add: [{ id: host.actorOf("f"), inbox: host.inboxOf("f"), sharedInbox: host.sharedInbox }],
        remove: [host.actorOf("g")],
      },
    },
    {
      method: "POST",
      path: ["activities"],
      body: {
        actor: actor.id,
        activity: { ...note, object: { id: `${actor.id}/notes/1`, type: "Note", content: "hello\nfediverse" } },
        audience: { followers: false, actors: [host.actorOf("f")], inboxes: [host.inboxOf("f")] },
        idempotencyKey: "key",
      },
    },
    { method: "GET", path: ["activities", "{id}"], params: { id: "01a24327-9cbe-76c8-9e83-da9cd452a0c2" } },
    { method: "GET", path: ["hosts"], query: { state: "dead", limit: "10", after: "a.example" } },
    { method: "GET", path: ["hosts", "{host}"], params: { host: host.host } },
    { method: "POST", path: ["hosts", "{host}", "seen"], params: { host: "seen.example" } },
    { method: "PUT", path: ["hosts", "{host}", "block"], params: { host: "blocked.example" } },
    { method: "DELETE", path: ["hosts", "{host}", "block"], params: { host: "blocked.example" } },
    { method: "GET", path: ["actors", "{actor}", "gone-followers"], params: { actor: actor.id }, query: { after: "0", limit: "10" } },
    {
      method: "POST",
      path: ["actors", "{actor}", "gone-followers", "acknowledge"],
      params: { actor: actor.id },
      body: { ids: ["1"], upTo: "2" },
    },
  ];
}

/** Percent-encodes any string, a lone surrogate included (as WTF-8, what a hostile client may send). */
function percentEncode(text: string): string {
  let out = "";
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const control = fc.integer({ min: 0, max: 0x1f }).map((unit) => String.fromCharCode(unit));
/** Strings a hostile or careless client sends: controls, lone surrogates, anything at all. */
const hostileText = fc.oneof(
  fc.constantFrom("\u0000", "\ud800", "\udfff", "a\nb", "\u007f", "%", "%ff", "https://x.example/\u0000", "https://x.example/a\nb#k"),
  fc.string({ unit: fc.oneof(control, loneSurrogate, fc.constantFrom("a", "/", ":", ".", "%")), maxLength: 12 }),
  fc.tuple(fc.webUrl(), fc.oneof(control, loneSurrogate)).map(([url, bad]) => `${url}${bad}`),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: "binary-ascii", maxLength: 24 }),
);
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 2 }),
);

/** Every place in a JSON body a value sits, as a path of keys and indexes. */
function placesIn(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => placesIn(item, [...at, i]))];
  if (value !== null && typeof value === "object") return [...here, ...Object.entries(value).flatMap(([key, item]) => placesIn(item, [...at, key]))];
  return here;
}

/** The body with the value at `place` replaced (or, for `undefined`, removed). */
function replaced(body: Json, place: Array<string | number>, value: Json | undefined): Json {
  const copy = structuredClone(body) as { [key: string]: Json } | Json[];
  let parent: { [key: string]: Json } | Json[] = copy;
  for (const step of place.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step] as typeof parent;
  const last = place[place.length - 1]!;
  if (value === undefined && !Array.isArray(parent)) delete parent[last as string];
  else (parent as Record<string | number, Json | undefined>)[last] = value;
  return copy;
}

interface Mutation {
  route: number;
  /** Which of the route's places (body values, query parameters, path parameters) to change. */
  place: number;
  value: Json | undefined;
  /** Also put a member with a hostile name into the body. */
  hostileKey: string | null;
}

async function send(route: Route, mutation: Mutation): Promise<Response> {
  const params = { ...route.params };
  const query = { ...route.query };
  let body = route.body;
  const bodyPlaces = body === undefined ? [] : placesIn(body);
  const places = [
    ...bodyPlaces.map((place) => ({ kind: "body" as const, place })),
    ...Object.keys(query).map((name) => ({ kind: "query" as const, name })),
    ...Object.keys(params).map((name) => ({ kind: "param" as const, name })),
  ];
  const target = places[mutation.place % Math.max(places.length, 1)];
  const text = typeof mutation.value === "string" ? mutation.value : JSON.stringify(mutation.value ?? "");
  if (target?.kind === "body") body = replaced(body!, target.place, mutation.value);
  else if (target?.kind === "query") query[target.name] = text;
  else if (target?.kind === "param") params[target.name] = text;
  if (mutation.hostileKey !== null && body !== null && typeof body === "object" && !Array.isArray(body)) {
    body = { ...body, [mutation.hostileKey]: "x" };
  }
  const path = route.path.map((segment) => (segment.startsWith("{") ? percentEncode(params[segment.slice(1, -1)]!) : segment)).join("/");
  const search = Object.entries(query)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join("&");
  return fetch(`${t.stack.ingressUrl}/v1/${path}${search ? `?${search}` : ""}`, {
    method: route.method,
    headers: { authorization: `Bearer ${t.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("the public API, for any mutated request", () => {
  it("answers every route without a 500, with problem+json for every refusal", async () => {
    const all = routes();
    // The unmutated requests are accepted: the mutations start from requests that work.
    for (const route of all) {
      const response = await send(route, { route: 0, place: Number.MAX_SAFE_INTEGER, value: undefined, hostileKey: null });
      const text = await response.text();
      expect(response.status, `${route.method} /${route.path.join("/")}: ${text} (logs: ${t.logFile})`).toBeLessThan(500);
    }
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          route: fc.nat({ max: all.length - 1 }),
          place: fc.nat({ max: 40 }),
          value: fc.option(hostileValue, { nil: undefined, freq: 8 }),
          hostileKey: fc.option(hostileText, { freq: 4 }),
        }),
        async (mutation) => {
          const route = all[mutation.route]!;
          const response = await send(route, mutation);
          const text = await response.text();
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          expect(response.status, `${route.method} /${route.path.join("/")} ${JSON.stringify(mutation)}: ${text}`).toBeLessThan(500);
          if (response.status >= 400) expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        },
      ),
      { numRuns: 800 },
    );
    // Most mutations are refused, and some are still accepted: the requests reached the routes.
    expect(seen.get(400) ?? 0).toBeGreaterThan(200);
    expect([...seen.keys()].some((status) => status < 300)).toBe(true);
  });

  it("stores the normalised form of the IRIs it checked", async () => {
    const response = await t.api("PUT", "/v1/actors", {
      id: "HTTPS://Local.EXAMPLE:443/users/Bob",
      keyId: "https://local.example/users/Bob#main-key",
      privateKeyPem: actor.privateKeyPem,
    });
    expect(response.status).toBe(200);
    const stored = await t.db.query<{ id: string }>("SELECT id FROM actors WHERE id ILIKE '%/users/bob'");
    expect(stored.rows.map((row) => row.id)).toEqual(["https://local.example/users/Bob"]);
  });

  it("refuses a key id holding a line feed, pointing at it, and stores nothing", async () => {
    const before = await t.count("actors");
    const response = await t.api("PUT", "/v1/actors", {
      id: "https://local.example/users/carol",
      keyId: "https://local.example/users/carol#main\n-key",
      privateKeyPem: actor.privateKeyPem,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ pointer: "/keyId" }] });
    expect(await t.count("actors")).toBe(before);
  });
});
