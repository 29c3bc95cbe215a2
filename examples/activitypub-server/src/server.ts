import { generateKeyPairSync, randomUUID } from "node:crypto";
import express, { type Express } from "express";
import { Webhook } from "standardwebhooks";
import type { FediFlowClient, WebhookPayload } from "@fediflow/client";

export interface ExampleOptions {
  /** Where this server is reached from the fediverse, e.g. https://blog.example. */
  publicUrl: string;
  fediflow: FediFlowClient;
  /** The secret of this server's FediFlow webhook subscription (set after subscribing). */
  webhookSecret?: string;
  /** Fetches a remote actor's document (the default is a plain GET). */
  fetchActor?: (id: string) => Promise<{ inbox: string; endpoints?: { sharedInbox?: string } }>;
}

export interface Example {
  app: Express;
  actorId: string;
  keyId: string;
  publicKeyPem: string;
  /** Followers as this server knows them: id → inbox. */
  followers: Map<string, string>;
  /** Registers the actor's key with FediFlow. */
  register(): Promise<void>;
  /** Subscribes this server's webhook endpoint and keeps the secret. */
  subscribe(): Promise<void>;
}

const activityJson = "application/activity+json";

async function plainFetchActor(id: string) {
  const response = await fetch(id, { headers: { accept: activityJson } });
  if (!response.ok) throw new Error(`GET ${id}: ${response.status}`);
  return (await response.json()) as { inbox: string; endpoints?: { sharedInbox?: string } };
}

/**
 * One local actor, alice, with an inbox that accepts follows, a way to publish notes, and a
 * webhook endpoint: every outgoing activity goes to FediFlow, which signs and delivers it.
 */
export function createExample(options: ExampleOptions): Example {
  const { fediflow } = options;
  const actorId = `${options.publicUrl}/users/alice`;
  const keyId = `${actorId}#main-key`;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const followers = new Map<string, string>();
  const fetchActor = options.fetchActor ?? plainFetchActor;
  let webhookSecret = options.webhookSecret;
  const app = express();

  app.get("/users/alice", (_req, res) => {
    res.type(activityJson).json({
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id: actorId,
      type: "Person",
      preferredUsername: "alice",
      inbox: `${actorId}/inbox`,
      followers: `${actorId}/followers`,
      publicKey: { id: keyId, owner: actorId, publicKeyPem },
    });
  });

  // A real server verifies the request's HTTP signature here (Fedify does it for you); this
  // example trusts its caller to stay short.
  app.post("/users/alice/inbox", express.json({ type: ["application/activity+json", "application/ld+json", "application/json"] }), async (req, res) => {
    const activity = req.body as { id?: string; type?: string; actor?: string; object?: unknown };
    if (activity.type !== "Follow" || typeof activity.actor !== "string" || activity.object !== actorId) {
      res.status(202).end();
      return;
    }
    const follower = await fetchActor(activity.actor);
    await fediflow.updateFollowers({
      actor: actorId,
      add: [{ id: activity.actor, inbox: follower.inbox, ...(follower.endpoints?.sharedInbox ? { sharedInbox: follower.endpoints.sharedInbox } : {}) }],
    });
    followers.set(activity.actor, follower.inbox);
    await fediflow.submitActivity({
      actor: actorId,
      activity: { id: `${actorId}/accepts/${randomUUID()}`, type: "Accept", actor: actorId, object: activity },
      audience: { inboxes: [follower.inbox] },
      idempotencyKey: `accept ${activity.id ?? activity.actor}`,
    });
    res.status(202).end();
  });

  app.post("/posts", express.json(), async (req, res) => {
    const id = `${actorId}/notes/${randomUUID()}`;
    const accepted = await fediflow.submitActivity({
      actor: actorId,
      activity: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${id}/activity`,
        type: "Create",
        actor: actorId,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        cc: [`${actorId}/followers`],
        object: { id, type: "Note", attributedTo: actorId, content: String((req.body as { content?: unknown }).content ?? "") },
      },
      audience: { followers: true },
    });
    res.status(201).json({ note: id, delivery: accepted.id });
  });

  // FediFlow tells this server what happened; a follower whose inbox is gone is pruned.
  app.post("/fediflow/events", express.text({ type: "application/json" }), async (req, res) => {
    if (!webhookSecret) {
      res.status(503).end();
      return;
    }
    let event: WebhookPayload;
    try {
      event = new Webhook(webhookSecret).verify(req.body as string, req.headers as Record<string, string>) as WebhookPayload;
    } catch {
      res.status(401).end();
      return;
    }
    if (event.type === "follower.gone" && typeof event.data.follower === "string" && event.data.actor === actorId) {
      await fediflow.updateFollowers({ actor: actorId, remove: [event.data.follower] });
      followers.delete(event.data.follower);
    }
    res.status(204).end();
  });

  return {
    app,
    actorId,
    keyId,
    publicKeyPem,
    followers,
    async register() {
      await fediflow.registerActor({ id: actorId, keyId, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() });
    },
    async subscribe() {
      const subscription = await fediflow.createWebhook({ url: `${options.publicUrl}/fediflow/events`, events: ["follower.gone", "activity.completed"] });
      webhookSecret = subscription.secret;
    },
  };
}
