import { FediFlowProblem } from "./problem";
import { retriable, retryDelayMs } from "./retry";
import type {
  ActivityAccepted,
  ActivityRedrive,
  ActivityStatus,
  Attempt,
  Follower,
  GoneFollower,
  Host,
  HostRedrive,
  HostState,
  InboxOutcome,
  InboxRecord,
  Page,
  ParkedDelivery,
  QuarantinedMessage,
  SubmitActivity,
  WebhookDelivery,
  WebhookEventType,
  WebhookSubscription,
} from "./types";

export interface ClientOptions {
  /** Where the ingress listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** A bearer token from FEDIFLOW_API_TOKENS. */
  token: string;
  /** Tries after the first for a 429 or 503 (default 3). */
  maxRetries?: number;
  /** Backoff without a Retry-After: base doubled per try, ms (default 500). */
  retryBaseMs?: number;
  /** Longest wait before a retry, whatever Retry-After says, ms (default 30,000). */
  retryMaxMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Every operation of the API: name → [method, path]. A test checks this table against
 * GET /v1/openapi.json, so the client covers exactly the routes the ingress serves.
 */
export const operations = {
  openApi: ["get", "/v1/openapi.json"],
  registerActor: ["put", "/v1/actors"],
  updateFollowers: ["post", "/v1/followers"],
  submitActivity: ["post", "/v1/activities"],
  activities: ["get", "/v1/activities"],
  activityStatus: ["get", "/v1/activities/{id}"],
  activityInboxes: ["get", "/v1/activities/{id}/inboxes"],
  redriveActivity: ["post", "/v1/activities/{id}/redrive"],
  hosts: ["get", "/v1/hosts"],
  host: ["get", "/v1/hosts/{host}"],
  hostSeen: ["post", "/v1/hosts/{host}/seen"],
  blockHost: ["put", "/v1/hosts/{host}/block"],
  unblockHost: ["delete", "/v1/hosts/{host}/block"],
  hostAttempts: ["get", "/v1/hosts/{host}/attempts"],
  parked: ["get", "/v1/hosts/{host}/parked"],
  discardParked: ["delete", "/v1/hosts/{host}/parked"],
  redriveHost: ["post", "/v1/hosts/{host}/redrive"],
  goneFollowers: ["get", "/v1/actors/{actor}/gone-followers"],
  acknowledgeGoneFollowers: ["post", "/v1/actors/{actor}/gone-followers/acknowledge"],
  createWebhook: ["post", "/v1/webhooks"],
  webhooks: ["get", "/v1/webhooks"],
  deleteWebhook: ["delete", "/v1/webhooks/{webhook}"],
  resumeWebhook: ["post", "/v1/webhooks/{webhook}/resume"],
  webhookDeliveries: ["get", "/v1/webhooks/{webhook}/deliveries"],
  quarantine: ["get", "/v1/quarantine"],
  redriveQuarantined: ["post", "/v1/quarantine/{id}/redrive"],
} as const satisfies Record<string, readonly [string, string]>;

type Query = Record<string, string | number | undefined>;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** FediFlow's HTTP API, typed. Errors are thrown as FediFlowProblem. */
export class FediFlowClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ClientOptions) {
    // Called unbound, a browser's fetch throws "Illegal invocation": keep it a plain function.
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? sleepFor;
  }

  /** One call: JSON in and out, retried on 429 and 503 (the API changed nothing then). */
  async request<T>(
    operation: keyof typeof operations,
    params: Record<string, string> = {},
    init: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const [method, template] = operations[operation];
    const path = template.replace(/\{([a-z]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
    const url = new URL(path, this.options.baseUrl);
    for (const [name, value] of Object.entries(init.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.fetch(url, {
        method: method.toUpperCase(),
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: "application/json",
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      if (response.ok) {
        const text = await response.text();
        return (text ? JSON.parse(text) : undefined) as T;
      }
      if (retriable(response.status) && attempt < maxRetries) {
        await response.body?.cancel();
        await this.sleep(
          retryDelayMs(response.headers.get("retry-after"), attempt, this.options.retryBaseMs ?? 500, this.options.retryMaxMs ?? 30_000),
        );
        continue;
      }
      throw await FediFlowProblem.from(response);
    }
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.request("openApi");
  }

  registerActor(actor: { id: string; keyId: string; privateKeyPem: string }): Promise<{ id: string }> {
    return this.request("registerActor", {}, { body: actor });
  }

  updateFollowers(change: { actor: string; add?: Follower[]; remove?: string[] }): Promise<{ added: number; removed: number }> {
    return this.request("updateFollowers", {}, { body: change });
  }

  submitActivity(submission: SubmitActivity): Promise<ActivityAccepted> {
    return this.request("submitActivity", {}, { body: submission });
  }

  /** Recent activities, newest first; an application token sees only its own actors'. */
  async activities(page: { limit?: number; cursor?: string } = {}): Promise<Page<ActivityStatus>> {
    const answer = await this.request<{ activities: ActivityStatus[]; next: string | null }>("activities", {}, { query: page });
    return { items: answer.activities, next: answer.next };
  }

  activityStatus(id: string): Promise<ActivityStatus> {
    return this.request("activityStatus", { id });
  }

  async activityInboxes(
    id: string,
    filter: { outcome?: InboxOutcome; host?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<InboxRecord>> {
    const page = await this.request<{ inboxes: InboxRecord[]; next: string | null }>("activityInboxes", { id }, { query: filter });
    return { items: page.inboxes, next: page.next };
  }

  /** Every inbox of an activity (filtered), page after page. */
  allActivityInboxes(id: string, filter: { outcome?: InboxOutcome; host?: string; limit?: number } = {}): AsyncGenerator<InboxRecord> {
    return paginate((cursor) => this.activityInboxes(id, { ...filter, cursor }));
  }

  redriveActivity(id: string, redrive: ActivityRedrive = {}): Promise<{ redriven: number }> {
    return this.request("redriveActivity", { id }, { body: redrive });
  }

  /** A page of hosts in host-name order (`after`: the last host of the previous page). */
  async hosts(filter: { state?: HostState; limit?: number; after?: string } = {}): Promise<Host[]> {
    return (await this.request<{ hosts: Host[] }>("hosts", {}, { query: filter })).hosts;
  }

  /** Every host (in a state), page after page. */
  async *allHosts(filter: { state?: HostState; limit?: number } = {}): AsyncGenerator<Host> {
    const limit = filter.limit ?? 1000;
    let after: string | undefined;
    for (;;) {
      const page = await this.hosts({ ...filter, limit, after });
      yield* page;
      if (page.length < limit) return;
      after = page[page.length - 1]!.host;
    }
  }

  host(host: string): Promise<Host> {
    return this.request("host", { host });
  }

  async hostSeen(host: string): Promise<void> {
    await this.request("hostSeen", { host });
  }

  async blockHost(host: string): Promise<void> {
    await this.request("blockHost", { host });
  }

  async unblockHost(host: string): Promise<void> {
    await this.request("unblockHost", { host });
  }

  async hostAttempts(host: string, limit?: number): Promise<Attempt[]> {
    return (await this.request<{ attempts: Attempt[] }>("hostAttempts", { host }, { query: { limit } })).attempts;
  }

  async parked(host: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<ParkedDelivery>> {
    const answer = await this.request<{ parked: ParkedDelivery[]; next: string | null }>("parked", { host }, { query: page });
    return { items: answer.parked, next: answer.next };
  }

  allParked(host: string, limit?: number): AsyncGenerator<ParkedDelivery> {
    return paginate((cursor) => this.parked(host, { limit, cursor }));
  }

  discardParked(host: string): Promise<{ discarded: number }> {
    return this.request("discardParked", { host });
  }

  redriveHost(host: string, redrive: HostRedrive): Promise<{ redriven: number }> {
    return this.request("redriveHost", { host }, { body: redrive });
  }

  async goneFollowers(actor: string, page: { after?: string; limit?: number } = {}): Promise<Page<GoneFollower>> {
    const answer = await this.request<{ entries: GoneFollower[]; next: string | null }>("goneFollowers", { actor }, { query: page });
    return { items: answer.entries, next: answer.next };
  }

  allGoneFollowers(actor: string, limit?: number): AsyncGenerator<GoneFollower> {
    return paginate((after) => this.goneFollowers(actor, { after, limit }));
  }

  acknowledgeGoneFollowers(actor: string, acknowledgement: { ids?: string[]; upTo?: string }): Promise<{ acknowledged: number }> {
    return this.request("acknowledgeGoneFollowers", { actor }, { body: acknowledgement });
  }

  /** Subscribes an endpoint; keep the returned secret to verify deliveries (it is never shown again). */
  createWebhook(subscription: { url: string; events: WebhookEventType[]; secret?: string }): Promise<{ id: string; secret: string }> {
    return this.request("createWebhook", {}, { body: subscription });
  }

  async webhooks(): Promise<WebhookSubscription[]> {
    return (await this.request<{ webhooks: WebhookSubscription[] }>("webhooks")).webhooks;
  }

  async deleteWebhook(webhook: string): Promise<void> {
    await this.request("deleteWebhook", { webhook });
  }

  async resumeWebhook(webhook: string): Promise<void> {
    await this.request("resumeWebhook", { webhook });
  }

  async webhookDeliveries(webhook: string, limit?: number): Promise<WebhookDelivery[]> {
    return (await this.request<{ deliveries: WebhookDelivery[] }>("webhookDeliveries", { webhook }, { query: { limit } })).deliveries;
  }

  /** Messages consumers set aside because handling them failed permanently, oldest first (operator token). */
  async quarantine(page: { limit?: number; cursor?: string } = {}): Promise<Page<QuarantinedMessage>> {
    const answer = await this.request<{ messages: QuarantinedMessage[]; next: string | null }>("quarantine", {}, { query: page });
    return { items: answer.messages, next: answer.next };
  }

  /** Publishes a quarantined message to its topic again; 0 when it already was. */
  redriveQuarantined(id: string): Promise<{ redriven: number }> {
    return this.request("redriveQuarantined", { id });
  }
}

/** Walks keyset pages: each page's `next` is the cursor of the following one. */
async function* paginate<T>(page: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const current = await page(cursor);
    yield* current.items;
    cursor = current.next ?? undefined;
  } while (cursor !== undefined);
}
