import { createPublicKey, type KeyObject } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import os from "node:os";
import path from "node:path";
import type { Socket } from "node:net";
import {
  contentDigestHeader,
  digestHeader,
  parseSignatureHeader,
  verifyCavageSignature,
  verifyRfc9421Signature,
} from "@fediflow/activitypub";
import { seededRandom, type Behaviour } from "./behaviour";
import { checkFetchSignature, type ReceivedFetch } from "./fetch-signature";

/** One POST a virtual server received. */
export interface ReceivedPost {
  host: string;
  /** The inbox URL that was posted to. */
  inbox: string;
  activityId: string | null;
  activityType: string | null;
  objectId: string | null;
  deliveryId: string | null;
  keyId: string | null;
  /** The scheme the request was signed with. */
  signatureScheme: "draft-cavage" | "rfc9421" | null;
  signatureValid: boolean;
  digestValid: boolean;
  /** Date header present and within an hour of now, as Mastodon requires (it allows 12 h). */
  dateValid: boolean;
  userAgent: string | null;
  /** A W3C traceparent header, which FediFlow must never send to a remote server. */
  traceparent: string | null;
  /** The status the server answered (0 for a black hole). */
  status: number;
  receivedAt: number;
}

/** Which HTTP signature schemes a host verifies; others are answered 401, as a server that knows only one would. */
export type AcceptedSignatures = "draft-cavage" | "rfc9421" | "any";

export interface HostOptions {
  behaviour?: Behaviour;
  /** Signature schemes the host accepts (default: draft-cavage only, like Mastodon before 4.4). */
  signatures?: AcceptedSignatures;
  /** Serve https with a self-signed certificate, which no client should trust. */
  selfSignedTls?: boolean;
  /** Whether the server's actors advertise a shared inbox (default true). */
  sharedInbox?: boolean;
  /** Secure mode: actor documents only for GETs with a signature that verifies, else 401 (default false). */
  authorizedFetch?: boolean;
}

export interface VirtualHost {
  index: number;
  address: string;
  port: number;
  /** host:port, as FediFlow names the host. */
  host: string;
  origin: string;
  behaviour: Behaviour;
  /** Changeable by a test: the next fetch of an actor document sees the change. */
  hasSharedInbox: boolean;
  signatures: AcceptedSignatures;
  authorizedFetch: boolean;
  sharedInbox: string;
  received: ReceivedPost[];
  /** Every GET of an actor document, in arrival order. */
  fetched: ReceivedFetch[];
  /** Arrival times of every GET of /.well-known/nodeinfo (host-health's probes). */
  probed: number[];
  /** Highest number of requests it was handling at once. */
  peakConcurrency: number;
  inboxOf(user: string): string;
  actorOf(user: string): string;
}

export interface FakeFediverseOptions {
  /** A number of healthy hosts, or one entry per host. */
  hosts: number | HostOptions[];
  /** Second octet of the 127.x.y.z addresses the hosts get (default 77). */
  network?: number;
  seed?: number;
}

interface HostRuntime {
  host: VirtualHost;
  server: Server | null;
  sockets: Set<Socket>;
  active: number;
  /** Requests answered with the failure of a `times`-limited behaviour so far. */
  refusedSoFar: number;
  tls: boolean;
}

/** A throwaway self-signed certificate (openssl, as on every Debian machine). */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fake-fediverse-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=fake.fediverse",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { stdio: "pipe" },
  );
  return { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) };
}

const hostAddress = (network: number, index: number) => `127.${network}.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;

/**
 * A simulated fediverse on this machine: every virtual server listens on its own loopback
 * address (127.77.y.z) on one shared port, checks each inbox POST's draft-cavage signature
 * and digest against the keys it was told to trust (answering 401 otherwise, as Mastodon
 * does), answers according to its behaviour and records what it received.
 */
export class FakeFediverse {
  readonly hosts: VirtualHost[] = [];
  private readonly runtimes = new Map<string, HostRuntime>();
  private readonly keys = new Map<string, KeyObject>();
  private readonly random: () => number;

  private constructor(
    readonly port: number,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  static async start(options: FakeFediverseOptions): Promise<FakeFediverse> {
    const specs = typeof options.hosts === "number" ? Array.from({ length: options.hosts }, () => ({})) : options.hosts;
    const network = options.network ?? 77;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const probe = createServer();
      const port = await new Promise<number>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen(0, hostAddress(network, 0), () => resolve((probe.address() as { port: number }).port));
      });
      await new Promise((resolve) => probe.close(resolve));
      const fediverse = new FakeFediverse(port, options.seed ?? 1);
      try {
        await fediverse.addHosts(specs, network);
        return fediverse;
      } catch (error) {
        await fediverse.stop();
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      }
    }
    throw new Error("no port free on every fake host address");
  }

  /** Trusts a public key for signatures with this keyId (what fetching the actor would give). */
  trustKey(keyId: string, publicKeyPem: string): void {
    this.keys.set(keyId, createPublicKey(publicKeyPem));
  }

  host(name: string): VirtualHost {
    const runtime = this.runtimes.get(name);
    if (!runtime) throw new Error(`no fake host ${name}`);
    return runtime.host;
  }

  /** Every POST every host received, in arrival order per host. */
  allReceived(): ReceivedPost[] {
    return this.hosts.flatMap((host) => host.received);
  }

  /** Changes a host's behaviour; starts or stops its listener when it stops or starts refusing. */
  async setBehaviour(name: string, behaviour: Behaviour): Promise<void> {
    const runtime = this.runtimes.get(name);
    if (!runtime) throw new Error(`no fake host ${name}`);
    runtime.host.behaviour = behaviour;
    runtime.refusedSoFar = 0;
    if (behaviour.kind === "refuse" && runtime.server) await this.closeRuntime(runtime);
    if (behaviour.kind !== "refuse" && !runtime.server) await this.listen(runtime);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((runtime) => this.closeRuntime(runtime)));
  }

  private async addHosts(specs: HostOptions[], network: number): Promise<void> {
    for (const [index, spec] of specs.entries()) {
      const address = hostAddress(network, index);
      const host = `${address}:${this.port}`;
      const origin = `${spec.selfSignedTls ? "https" : "http"}://${host}`;
      const virtual: VirtualHost = {
        index,
        address,
        port: this.port,
        host,
        origin,
        behaviour: spec.behaviour ?? { kind: "ok" },
        hasSharedInbox: spec.sharedInbox ?? true,
        signatures: spec.signatures ?? "draft-cavage",
        authorizedFetch: spec.authorizedFetch ?? false,
        sharedInbox: `${origin}/inbox`,
        received: [],
        fetched: [],
        probed: [],
        peakConcurrency: 0,
        inboxOf: (user) => `${origin}/users/${user}/inbox`,
        actorOf: (user) => `${origin}/users/${user}`,
      };
      this.hosts.push(virtual);
      const runtime: HostRuntime = {
        host: virtual,
        server: null,
        sockets: new Set(),
        active: 0,
        refusedSoFar: 0,
        tls: spec.selfSignedTls ?? false,
      };
      this.runtimes.set(host, runtime);
    }
    // Listen in chunks: thousands of listeners at once would only queue in the kernel anyway.
    const runtimes = [...this.runtimes.values()].filter((runtime) => runtime.host.behaviour.kind !== "refuse");
    for (let i = 0; i < runtimes.length; i += 200) await Promise.all(runtimes.slice(i, i + 200).map((runtime) => this.listen(runtime)));
  }

  private certificate: { key: Buffer; cert: Buffer } | undefined;

  private listen(runtime: HostRuntime): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(runtime, req, res);
    const server: Server = runtime.tls
      ? createTlsServer({ ...(this.certificate ??= selfSignedCertificate()), keepAlive: true }, handler)
      : createServer({ keepAlive: true }, handler);
    server.on("connection", (socket) => {
      runtime.sockets.add(socket);
      socket.on("close", () => runtime.sockets.delete(socket));
    });
    runtime.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, runtime.host.address, () => resolve());
    });
  }

  private async closeRuntime(runtime: HostRuntime): Promise<void> {
    const server = runtime.server;
    runtime.server = null;
    if (!server) return;
    for (const socket of runtime.sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }

  private async handle(runtime: HostRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { host } = runtime;
    const path = req.url ?? "/";
    if (req.method === "GET") return this.serveDocument(host, path, req, res);
    if (req.method !== "POST" || !(path === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(path))) {
      res.writeHead(404).end();
      return;
    }
    runtime.active += 1;
    host.peakConcurrency = Math.max(host.peakConcurrency, runtime.active);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const post = await this.inspect(host, path, req, body);
      const status = await this.answer(runtime, post, res);
      post.status = status;
      host.received.push(post);
    } finally {
      runtime.active -= 1;
    }
  }

  private async inspect(host: VirtualHost, path: string, req: IncomingMessage, body: Buffer): Promise<ReceivedPost> {
    let activity: Record<string, unknown> = {};
    try {
      activity = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      // recorded with nulls
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === "string" ? value : null;
    };
    const object = activity.object;
    const objectId =
      typeof object === "string" ? object : object && typeof object === "object" ? ((object as { id?: string }).id ?? null) : null;
    const { keyId, scheme, valid } = header("signature-input")
      ? await this.verifyRfc9421(host, path, req, header)
      : this.verifyCavage(path, header);
    const accepted = host.signatures === "any" || host.signatures === scheme;
    const digestValid =
      scheme === "rfc9421" ? header("content-digest") === contentDigestHeader(body) : header("digest") === digestHeader(body);
    const date = Date.parse(header("date") ?? "");
    return {
      host: host.host,
      inbox: `${host.origin}${path}`,
      activityId: typeof activity.id === "string" ? activity.id : null,
      activityType: typeof activity.type === "string" ? activity.type : null,
      objectId,
      deliveryId: header("fediflow-delivery-id"),
      keyId,
      signatureScheme: scheme,
      signatureValid: valid && accepted,
      digestValid,
      dateValid: !Number.isNaN(date) && Math.abs(Date.now() - date) < 3_600_000,
      userAgent: header("user-agent"),
      traceparent: header("traceparent"),
      status: 0,
      receivedAt: Date.now(),
    };
  }

  private verifyCavage(path: string, header: (name: string) => string | null) {
    try {
      const parsed = parseSignatureHeader(header("signature") ?? "");
      const key = this.keys.get(parsed.keyId);
      const required = ["(request-target)", "host", "date", "digest"];
      if (!key || !required.every((name) => parsed.headers.includes(name)))
        return { keyId: parsed.keyId, scheme: "draft-cavage" as const, valid: false };
      const headerValues: Record<string, string> = {};
      for (const name of parsed.headers) if (name !== "(request-target)") headerValues[name] = header(name) ?? "";
      return {
        keyId: parsed.keyId,
        scheme: "draft-cavage" as const,
        valid: verifyCavageSignature(parsed, { method: "POST", path, headerValues }, key),
      };
    } catch {
      return { keyId: null, scheme: null, valid: false };
    }
  }

  private async verifyRfc9421(host: VirtualHost, path: string, req: IncomingMessage, header: (name: string) => string | null) {
    const keyId = /keyid="([^"]+)"/.exec(header("signature-input") ?? "")?.[1] ?? null;
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!key) return { keyId, scheme: "rfc9421" as const, valid: false };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
    const { valid } = await verifyRfc9421Signature({ method: "POST", url: `${host.origin}${path}`, headers }, key);
    return { keyId, scheme: "rfc9421" as const, valid };
  }

  private async answer(runtime: HostRuntime, post: ReceivedPost, res: ServerResponse): Promise<number> {
    const behaviour = runtime.host.behaviour;
    if (!post.signatureValid || !post.digestValid) {
      res.writeHead(401).end("signature or digest does not verify");
      return 401;
    }
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    switch (behaviour.kind) {
      case "trickle":
        return this.trickle(res);
      case "huge":
        return this.huge(res, behaviour.megabytes);
      case "reset":
        res.socket?.destroy();
        return 0;
      case "blackHole":
        await new Promise<void>((resolve) => res.on("close", resolve));
        return 0;
      case "status":
        if (behaviour.latencyMs) await wait(behaviour.latencyMs);
        if (behaviour.times !== undefined && runtime.refusedSoFar >= behaviour.times) {
          res.writeHead(202).end();
          return 202;
        }
        runtime.refusedSoFar += 1;
        res.writeHead(behaviour.status).end();
        return behaviour.status;
      case "rateLimited":
        if (runtime.refusedSoFar < behaviour.times) {
          runtime.refusedSoFar += 1;
          res.writeHead(429, { "retry-after": String(behaviour.retryAfterSeconds) }).end();
          return 429;
        }
        break;
      case "retryAfter": {
        const status = behaviour.status ?? 429;
        res.writeHead(status, { "retry-after": behaviour.value }).end();
        return status;
      }
      case "flaky":
        if (this.random() < behaviour.failureRate) {
          const status = behaviour.status ?? 503;
          res.writeHead(status).end();
          return status;
        }
        break;
      case "redirect":
        res.writeHead(behaviour.status, { location: behaviour.location }).end();
        return behaviour.status;
      case "ok": {
        const latency = behaviour.latencyMs;
        const ms = Array.isArray(latency) ? latency[0] + this.random() * (latency[1] - latency[0]) : (latency ?? 0);
        if (ms > 0) await wait(ms);
        break;
      }
      case "refuse":
        break;
    }
    res.writeHead(202).end();
    return 202;
  }

  /** One byte of an answer every second until the client gives up. */
  private trickle(res: ServerResponse): Promise<number> {
    const socket = res.socket!;
    const answer = Buffer.from("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n");
    let sent = 0;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= answer.length) {
          clearInterval(timer);
          resolve(0);
          return;
        }
        socket.write(answer.subarray(sent, sent + 1));
        sent += 1;
      }, 1_000);
      socket.once("close", () => {
        clearInterval(timer);
        resolve(0);
      });
    });
  }

  /** A 202 with an enormous body, written as fast as the client reads (or until it hangs up). */
  private async huge(res: ServerResponse, megabytes: number): Promise<number> {
    res.writeHead(202, { "content-type": "application/octet-stream", "content-length": String(megabytes * 1024 * 1024) });
    const chunk = Buffer.alloc(64 * 1024, 120);
    for (let written = 0; written < megabytes * 1024 * 1024 && !res.destroyed; written += chunk.length) {
      if (!res.write(chunk))
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
    }
    res.end();
    return 202;
  }

  /** Actor documents (for audience.actors) and nodeinfo (for host-health probes). */
  private serveDocument(host: VirtualHost, path: string, req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/activity+json" }).end(JSON.stringify(value));
    };
    if (path === "/.well-known/nodeinfo") host.probed.push(Date.now());
    if (host.behaviour.kind === "blackHole") return;
    const actor = /^\/users\/([^/]+)$/.exec(path);
    if (actor) {
      const signature = checkFetchSignature(req.headers, path, this.keys);
      const status = host.authorizedFetch && !signature.signatureValid ? 401 : 200;
      const accept = typeof req.headers.accept === "string" ? req.headers.accept : null;
      const traceparent = typeof req.headers.traceparent === "string" ? req.headers.traceparent : null;
      host.fetched.push({ host: host.host, url: `${host.origin}${path}`, accept, ...signature, traceparent, status, receivedAt: Date.now() });
      if (status === 401) return json(401, { error: "request not signed" });
      return json(200, {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${host.origin}${path}`,
        type: "Person",
        inbox: `${host.origin}${path}/inbox`,
        ...(host.hasSharedInbox ? { endpoints: { sharedInbox: host.sharedInbox } } : {}),
      });
    }
    if (path === "/.well-known/nodeinfo") {
      if (host.behaviour.kind === "status" && host.behaviour.status >= 500) return json(host.behaviour.status, {});
      return json(200, { links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: `${host.origin}/nodeinfo/2.0` }] });
    }
    res.writeHead(404).end();
  }
}
