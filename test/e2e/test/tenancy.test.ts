import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, waitFor, type ApiResponse } from "../src";

// Two applications, an operator and the stack's own admin token on one stack: each refusal is a
// 403 problem+json, and the database shows that nothing was stored or changed.
const tokens = { blog: "blog-token-0123456789", social: "social-token-0123456789", operator: "operator-token-0123456789" };

let t: TestStack;
let blogActor: Actor;
let socialActor: Actor;
const webhookBodies = new Map<string, string[]>();
let receiver: Server;
let receiverUrl: string;

interface Actor {
  id: string;
  keyId: string;
  privateKeyPem: string;
}

function newActor(name: string): Actor & { publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const id = `https://local.example/users/${name}`;
  return {
    id,
    keyId: `${id}#main-key`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** The PUT /v1/actors body for an actor. */
const registration = ({ id, keyId, privateKeyPem }: Actor) => ({ id, keyId, privateKeyPem });

const as = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });

function expectForbidden(response: ApiResponse<Record<string, unknown>>): void {
  expect(response.status).toBe(403);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.stringMatching(/forbidden$/), status: 403 });
}

async function register(who: keyof typeof tokens, name: string): Promise<Actor> {
  const actor = newActor(name);
  const answer = await t.api("PUT", "/v1/actors", registration(actor), as(who));
  expect(answer.status).toBe(200);
  t.fediverse.trustKey(actor.keyId, actor.publicKeyPem);
  return registration(actor);
}

async function rowCount(sql: string, values: unknown[]): Promise<number> {
  return Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) s`, values)).rows[0]!.n);
}

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: { hosts: 2 },
    tokens: [`app:blog=${tokens.blog}`, `app:social=${tokens.social}`, `operator=${tokens.operator}`],
    env: { FEDIFLOW_WEBHOOK_POLL_MS: "100" },
  });
  blogActor = await register("blog", "blog-alice");
  socialActor = await register("social", "social-bob");
  // Webhook bodies by path: /blog, /social and /all (an admin's subscription).
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      webhookBodies.set(req.url!, [...(webhookBodies.get(req.url!) ?? []), body]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver?.close();
  await t?.stop();
});

describe("application tokens stay within their own actors", () => {
  it("refuses another application's actor: its key, its followers, posting as it", async () => {
    const before = (await t.db.query("SELECT key_id, private_key_sealed, application FROM actors WHERE id = $1", [blogActor.id])).rows[0];
    expect(before.application).toBe("blog");

    const takeover = newActor("blog-alice");
    expectForbidden(
      await t.api(
        "PUT",
        "/v1/actors",
        { id: blogActor.id, keyId: `${blogActor.id}#other`, privateKeyPem: takeover.privateKeyPem },
        as("social"),
      ),
    );
    const after = (await t.db.query("SELECT key_id, private_key_sealed, application FROM actors WHERE id = $1", [blogActor.id])).rows[0];
    expect(after).toEqual(before);

    const [host] = t.fediverse.hosts;
    const spy = { id: host!.actorOf("spy"), inbox: host!.inboxOf("spy") };
    expectForbidden(await t.api("POST", "/v1/followers", { actor: blogActor.id, add: [spy] }, as("social")));
    expect(await rowCount("SELECT 1 FROM followers WHERE actor_id = $1", [blogActor.id])).toBe(0);

    const forged = { actor: blogActor.id, activity: createNote(blogActor.id), audience: { inboxes: [host!.inboxOf("x")] } };
    expectForbidden(await t.api("POST", "/v1/activities", forged, as("social")));
    expect(await rowCount("SELECT 1 FROM activities WHERE actor_id = $1", [blogActor.id])).toBe(0);

    // Its own application assigns nothing: only an admin moves an actor.
    expectForbidden(await t.api("PUT", "/v1/actors", { ...registration(socialActor), application: "blog" }, as("social")));
    expect((await t.db.query("SELECT application FROM actors WHERE id = $1", [socialActor.id])).rows[0].application).toBe("social");
  });

  it("delivers for its owner and hides the activity, its inboxes, redrive and gone followers from others", async () => {
    const [a, b] = t.fediverse.hosts;
    const audience = { inboxes: [a!.inboxOf("reader"), b!.inboxOf("reader")] };
    const posted = await t.api("POST", "/v1/activities", { actor: blogActor.id, activity: createNote(blogActor.id), audience }, as("blog"));
    expect(posted.status).toBe(202);
    const id = posted.body.id as string;
    await waitFor(`blog's activity ${id} done`, async () => {
      const status = await t.api("GET", `/v1/activities/${id}`, undefined, as("blog"));
      return status.body.state === "done" ? status : undefined;
    });

    expectForbidden(await t.api("GET", `/v1/activities/${id}`, undefined, as("social")));
    expectForbidden(await t.api("GET", `/v1/activities/${id}/inboxes`, undefined, as("social")));
    expectForbidden(await t.api("POST", `/v1/activities/${id}/redrive`, { requestId: "r1" }, as("social")));
    expect(await rowCount("SELECT 1 FROM redrives", [])).toBe(0);
    expectForbidden(await t.api("GET", `/v1/actors/${encodeURIComponent(blogActor.id)}/gone-followers`, undefined, as("social")));

    // The owner and the operator see it.
    expect((await t.api("GET", `/v1/activities/${id}/inboxes`, undefined, as("blog"))).status).toBe(200);
    expect((await t.api("GET", `/v1/activities/${id}`, undefined, as("operator"))).status).toBe(200);

    // Lists: an application sees its own actors' activities only, newest first; the operator all.
    const listed = async (who: keyof typeof tokens, limit = 100) =>
      (
        await t.api<{ activities: Array<{ id: string; state: string }>; next: string | null }>(
          "GET",
          `/v1/activities?limit=${limit}`,
          undefined,
          as(who),
        )
      ).body;
    expect((await listed("blog")).activities.map((activity) => activity.id)).toEqual([id]);
    expect((await listed("blog")).activities[0]!.state).toBe("done");
    expect((await listed("social")).activities).toEqual([]);
    expect((await listed("operator")).activities.map((activity) => activity.id)).toContain(id);
  });
});

describe("operator and application scopes", () => {
  it("keeps hosts, host redrives and parked deliveries to operators", async () => {
    const host = t.fediverse.hosts[1]!.host;
    expectForbidden(await t.api("PUT", `/v1/hosts/${host}/block`, undefined, as("blog")));
    expect(await rowCount("SELECT 1 FROM hosts WHERE host = $1 AND state = 'blocked'", [host])).toBe(0);
    expectForbidden(await t.api("POST", `/v1/hosts/${host}/redrive`, { since: new Date(0).toISOString() }, as("blog")));
    expectForbidden(await t.api("GET", `/v1/hosts/${host}/attempts`, undefined, as("blog")));
    expectForbidden(await t.api("GET", `/v1/hosts/${host}/parked`, undefined, as("blog")));
    expectForbidden(await t.api("DELETE", `/v1/hosts/${host}/parked`, undefined, as("blog")));
    expectForbidden(await t.api("DELETE", `/v1/hosts/${host}/block`, undefined, as("blog")));
    expectForbidden(await t.api("GET", "/v1/quarantine", undefined, as("blog")));
    expectForbidden(await t.api("POST", "/v1/quarantine/1/redrive", undefined, as("blog")));
    expect((await t.api("GET", "/v1/quarantine", undefined, as("operator"))).status).toBe(200);

    // An application may still read host states and say it heard from a server.
    expect((await t.api("GET", "/v1/hosts", undefined, as("blog"))).status).toBe(200);

    expect((await t.api("PUT", `/v1/hosts/${host}/block`, undefined, as("operator"))).status).toBe(204);
    expect(await rowCount("SELECT 1 FROM hosts WHERE host = $1 AND state = 'blocked'", [host])).toBe(1);
    expect((await t.api("DELETE", `/v1/hosts/${host}/block`, undefined, as("operator"))).status).toBe(204);
  });

  it("never lets an operator act as an application's actor", async () => {
    const stranger = newActor("operator-made");
    expectForbidden(await t.api("PUT", "/v1/actors", registration(stranger), as("operator")));
    expect(await rowCount("SELECT 1 FROM actors WHERE id = $1", [stranger.id])).toBe(0);
    const post = {
      actor: socialActor.id,
      activity: createNote(socialActor.id),
      audience: { inboxes: [t.fediverse.hosts[0]!.inboxOf("x")] },
    };
    expectForbidden(await t.api("POST", "/v1/activities", post, as("operator")));
    expect(await rowCount("SELECT 1 FROM activities WHERE actor_id = $1", [socialActor.id])).toBe(0);
  });

  it("lets an admin hand an actor to an application, which then owns it", async () => {
    const legacy = newActor("legacy");
    expect((await t.api("PUT", "/v1/actors", registration(legacy))).status).toBe(200); // the stack's admin token
    const post = { actor: legacy.id, activity: createNote(legacy.id), audience: { inboxes: [t.fediverse.hosts[0]!.inboxOf("x")] } };
    // Made by an admin, it belongs to no application yet.
    expectForbidden(await t.api("POST", "/v1/activities", post, as("social")));
    expect((await t.api("PUT", "/v1/actors", { ...registration(legacy), application: "social" })).status).toBe(200);
    expect((await t.api("POST", "/v1/activities", post, as("social"))).status).toBe(202);
    expectForbidden(await t.api("POST", "/v1/activities", { ...post, activity: createNote(legacy.id) }, as("blog")));
  });
});

describe("webhooks per application", () => {
  it("tells each application of its own activities only; an admin's subscription hears of all", async () => {
    const subscribe = async (path: string, who?: keyof typeof tokens) => {
      const made = await t.api(
        "POST",
        "/v1/webhooks",
        { url: `${receiverUrl}${path}`, events: ["activity.completed"] },
        who ? as(who) : {},
      );
      expect(made.status).toBe(201);
      return made.body.id as string;
    };
    const blogHook = await subscribe("/blog", "blog");
    const socialHook = await subscribe("/social", "social");
    await subscribe("/all");

    // Each lists only its own; another's subscription cannot be removed or read.
    const listed = await t.api<{ webhooks: Array<{ id: string }> }>("GET", "/v1/webhooks", undefined, as("social"));
    expect(listed.body.webhooks.map((webhook) => webhook.id)).toEqual([socialHook]);
    expectForbidden(await t.api("DELETE", `/v1/webhooks/${blogHook}`, undefined, as("social")));
    expectForbidden(await t.api("GET", `/v1/webhooks/${blogHook}/deliveries`, undefined, as("social")));
    expect(await rowCount("SELECT 1 FROM webhook_endpoints WHERE id = $1", [blogHook])).toBe(1);

    const inbox = t.fediverse.hosts[0]!.inboxOf("webhook-reader");
    const post = async (who: "blog" | "social", actor: Actor) => {
      const posted = await t.api(
        "POST",
        "/v1/activities",
        { actor: actor.id, activity: createNote(actor.id), audience: { inboxes: [inbox] } },
        as(who),
      );
      expect(posted.status).toBe(202);
      return posted.body.id as string;
    };
    const blogActivity = await post("blog", blogActor);
    const socialActivity = await post("social", socialActor);

    const completedIds = (path: string) =>
      (webhookBodies.get(path) ?? [])
        .map((body) => (JSON.parse(body) as { data: { id: string } }).data.id)
        .filter((id) => id === blogActivity || id === socialActivity);
    await waitFor("the admin's subscription told of both activities", async () =>
      completedIds("/all").length >= 2 && completedIds("/blog").length >= 1 && completedIds("/social").length >= 1 ? true : undefined,
    );
    // Nothing of the other application's is queued for either (other events, such as the
    // handed-over actor's activity completing, may still be on their way to social).
    const crossed = await rowCount(
      `SELECT 1 FROM webhook_deliveries WHERE (endpoint_id = $1 AND event->'data'->>'id' = $2) OR (endpoint_id = $3 AND event->'data'->>'id' = $4)`,
      [blogHook, socialActivity, socialHook, blogActivity],
    );
    expect(crossed).toBe(0);
    expect(new Set(completedIds("/blog"))).toEqual(new Set([blogActivity]));
    expect(new Set(completedIds("/social"))).toEqual(new Set([socialActivity]));

    // Every activity, page by page, newest first (UUIDv7 ids sort by time), none twice.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.client.activities({ limit: 1, cursor });
      paged.push(...page.items.map((activity) => activity.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(paged).toEqual([...paged].sort().reverse());
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged.slice(0, 2)).toEqual([socialActivity, blogActivity]);
  });
});
