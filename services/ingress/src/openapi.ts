import { readFileSync } from "node:fs";
import path from "node:path";
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import * as documents from "./api-documents";
import { acknowledgeBody, goneFollowersQuery } from "./gone-followers-api";
import { attemptsQuery } from "./host-drill-down-api";
import { hostsQuery } from "./http-api-queries";
import { inboxesQuery } from "./inboxes-api";
import { pageQuery } from "./keyset";
import { activityRedriveBody, hostRedriveBody } from "./redrive-api";
import { activityBody, followersBody, registerActorBody } from "./validation";
import { createWebhookBody, webhookAttemptsQuery } from "./webhooks-api";

type Method = RouteConfig["method"];

const quarantineId = z.string().regex(/^[0-9]{1,15}$/).describe("quarantined message id (decimal digits)");
type Answer = z.ZodType | null;

interface Route {
  summary: string;
  params?: Record<string, string>;
  /** Path parameters whose meaning differs from the usual one of their name. */
  pathSchemas?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status → body schema (null: no body). */
  answers: Record<number, Answer>;
  /** Problems the route answers besides those every route can (400, 401, 403, 429, 500, 503). */
  problems?: number[];
  public?: boolean;
}

const pathParams: Record<string, z.ZodType> = {
  id: z.string().uuid().describe("activity id (UUIDv7)"),
  host: z.string().describe("host name, with :port when not the scheme's default"),
  actor: z.string().describe("the local actor's IRI, percent-encoded as one path segment"),
  webhook: z.string().uuid().describe("webhook subscription id"),
};

const problemContent = { "application/problem+json": { schema: documents.problemDocument } };

function register(registry: OpenAPIRegistry, method: Method, path: string, route: Route): void {
  const names = [...path.matchAll(/\{([a-z]+)\}/g)].map((match) => match[1]!);
  const responses: RouteConfig["responses"] = {};
  for (const [status, schema] of Object.entries(route.answers)) {
    responses[status] = schema
      ? { description: route.summary, content: { "application/json": { schema } } }
      : { description: route.summary };
  }
  for (const status of [400, ...(route.public ? [] : [401, 403, 429]), ...(route.problems ?? []), 500, 503]) {
    responses[status] = { description: "a problem (RFC 9457)", content: problemContent };
  }
  registry.registerPath({
    method,
    path,
    summary: route.summary,
    ...(route.public ? { security: [] } : {}),
    request: {
      ...(names.length > 0 ? { params: z.object(Object.fromEntries(names.map((name) => [name, route.pathSchemas?.[name] ?? pathParams[name]!]))) } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body ? { body: { required: true, content: { "application/json": { schema: route.body } } } } : {}),
    },
    responses,
  });
}

/** Every /v1 route: method, OpenAPI path, and what it takes and answers. */
const routes: Array<[Method, string, Route]> = [
  ["post", "/v1/webhooks", { summary: "Subscribe a webhook endpoint to events", body: createWebhookBody, answers: { 201: documents.webhookCreated }, problems: [415] }],
  ["get", "/v1/webhooks", { summary: "Webhook subscriptions", answers: { 200: documents.webhooksList } }],
  ["delete", "/v1/webhooks/{webhook}", { summary: "Remove a webhook subscription", answers: { 204: null }, problems: [404] }],
  ["post", "/v1/webhooks/{webhook}/resume", { summary: "Resume a paused webhook endpoint", answers: { 204: null }, problems: [404] }],
  ["get", "/v1/webhooks/{webhook}/deliveries", { summary: "A webhook endpoint's recent attempts, newest first", query: webhookAttemptsQuery, answers: { 200: documents.webhookDeliveries }, problems: [404] }],
  ["get", "/v1/openapi.json", { summary: "This document", answers: { 200: z.record(z.string(), z.unknown()) }, public: true }],
  ["put", "/v1/actors", { summary: "Register a local actor's signing key", body: registerActorBody, answers: { 200: documents.actorRegistered } }],
  ["post", "/v1/followers", { summary: "Add and remove an actor's followers", body: followersBody, answers: { 200: documents.followersUpdated }, problems: [413, 415] }],
  ["post", "/v1/activities", { summary: "Submit an activity for delivery", body: activityBody, answers: { 202: documents.activityAccepted }, problems: [409, 413, 415] }],
  ["get", "/v1/activities", { summary: "Recent activities, newest first (an application's own only)", query: pageQuery, answers: { 200: documents.activitiesPage } }],
  ["get", "/v1/activities/{id}", { summary: "An activity's delivery status", answers: { 200: documents.activityStatusDocument }, problems: [404, 410] }],
  ["get", "/v1/activities/{id}/inboxes", { summary: "The outcome of each inbox of an activity", query: inboxesQuery, answers: { 200: documents.inboxesPage }, problems: [404] }],
  ["post", "/v1/activities/{id}/redrive", { summary: "Send an activity's failures again", body: activityRedriveBody, answers: { 202: documents.redriveAccepted }, problems: [404, 415] }],
  ["get", "/v1/hosts", { summary: "Remote servers by state", query: hostsQuery, answers: { 200: documents.hostsList } }],
  ["get", "/v1/hosts/{host}", { summary: "One remote server", answers: { 200: documents.hostDocument }, problems: [404] }],
  ["post", "/v1/hosts/{host}/seen", { summary: "The application heard from this server", answers: { 204: null } }],
  ["put", "/v1/hosts/{host}/block", { summary: "Block (defederate) a server", answers: { 204: null } }],
  ["delete", "/v1/hosts/{host}/block", { summary: "Unblock a server", answers: { 204: null } }],
  ["get", "/v1/hosts/{host}/attempts", { summary: "A server's most recent attempts, newest first", query: attemptsQuery, answers: { 200: documents.attemptsList }, problems: [404] }],
  ["get", "/v1/hosts/{host}/parked", { summary: "Deliveries parked for a dead server", query: pageQuery, answers: { 200: documents.parkedPage }, problems: [404] }],
  ["delete", "/v1/hosts/{host}/parked", { summary: "Discard a server's parked deliveries (settled discarded)", answers: { 200: documents.parkedDiscarded }, problems: [404] }],
  ["post", "/v1/hosts/{host}/redrive", { summary: "Send a server's failures within a time window again", body: hostRedriveBody, answers: { 202: documents.redriveAccepted }, problems: [415] }],
  ["get", "/v1/quarantine", { summary: "Messages set aside because handling them failed permanently, oldest first", query: pageQuery, answers: { 200: documents.quarantinePage } }],
  ["post", "/v1/quarantine/{id}/redrive", { summary: "Publish a quarantined message to its topic again", pathSchemas: { id: quarantineId }, answers: { 202: documents.redriveAccepted }, problems: [404, 409] }],
  ["get", "/v1/actors/{actor}/gone-followers", { summary: "Followers' inboxes that answered 404 or 410", query: goneFollowersQuery, answers: { 200: documents.goneFollowersPage }, problems: [404] }],
  ["post", "/v1/actors/{actor}/gone-followers/acknowledge", { summary: "Remove gone-follower entries dealt with", body: acknowledgeBody, answers: { 200: documents.goneFollowersAcknowledged }, problems: [404, 415] }],
];

let cached: object | undefined;
const version = (JSON.parse(readFileSync(path.resolve(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;

/** The OpenAPI 3.1 document of every /v1 route, generated from the zod schemas the routes validate with. */
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  for (const [method, path, route] of routes) register(registry, method, path, route);
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "FediFlow API",
      version,
      description: "Outgoing ActivityPub federation: submit activities, follow their delivery, operate remote servers. See docs/api.md.",
    },
    security: [{ bearer: [] }],
  });
  return cached;
}
