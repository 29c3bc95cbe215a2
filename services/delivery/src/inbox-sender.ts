import { createHash } from "node:crypto";
import type { SigningKey } from "@fediflow/signing-keys";
import { cavageSignature, rfc9421Headers, signedPostHeaders } from "@fediflow/activitypub";
import { destinationUrl, discardCapped, type Dispatcher } from "@fediflow/remote-http";
import type { ActivityBody, InboxPoster } from "./attempt-job";
import type { AttemptResult } from "./classify-outcome";
import { otherScheme, refusedSignature, type SignatureScheme, type SignatureSchemes } from "./signature-schemes";

export interface InboxSenderOptions {
  dispatcher: Dispatcher;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  userAgent: string;
  allowPlainHttp: boolean;
  schemes: SignatureSchemes;
}

/** A stable id per (activity, inbox), sent as a header so a receiver can spot a redelivery. */
export function deliveryId(activityId: string, inbox: string): string {
  return createHash("sha256").update(`${activityId}\n${inbox}`).digest("hex").slice(0, 32);
}

/** Signs and POSTs one activity to one inbox; reports the response or the error, never throws. */
export class InboxSender implements InboxPoster {
  /** Second knocks made, and how many found the other scheme accepted. */
  secondKnocks = 0;
  secondKnocksAccepted = 0;

  constructor(private readonly options: InboxSenderOptions) {}

  async post(host: string, inbox: string, activityId: string, body: ActivityBody, key: SigningKey): Promise<AttemptResult> {
    let url: URL;
    try {
      url = destinationUrl(inbox, this.options.allowPlainHttp);
    } catch (error) {
      return { kind: "error", error: Object.assign(error as Error, { code: "ERR_INVALID_URL" }) };
    }
    // Draft-cavage with an Ed25519 key is understood by nobody: such actors sign RFC 9421 only.
    const canKnockTwice = key.type === "rsa";
    const first = key.type === "rsa" ? this.options.schemes.forHost(host) : "rfc9421";
    const result = await this.send(url, activityId, inbox, body, key, first);
    if (!canKnockTwice || result.kind !== "response" || !refusedSignature(result.status)) return result;
    this.secondKnocks += 1;
    const second = otherScheme(first);
    const retried = await this.send(url, activityId, inbox, body, key, second);
    if (retried.kind === "response" && retried.status >= 200 && retried.status < 300) {
      this.secondKnocksAccepted += 1;
      this.options.schemes.remember(host, second);
    }
    return retried;
  }

  private async send(
    url: URL,
    activityId: string,
    inbox: string,
    body: ActivityBody,
    key: SigningKey,
    scheme: SignatureScheme,
  ): Promise<AttemptResult> {
    const path = `${url.pathname}${url.search}`;
    const common = {
      host: url.host,
      date: new Date().toUTCString(),
      "content-type": "application/activity+json",
    };
    let signed: Record<string, string>;
    if (scheme === "draft-cavage") {
      const headerValues = { ...common, digest: body.digest };
      signed = {
        ...headerValues,
        signature: cavageSignature({ method: "POST", path, headerValues, headers: signedPostHeaders }, key.keyId, key.key),
      };
    } else {
      const headers = { ...common, "content-digest": body.contentDigest };
      signed = { ...headers, ...(await rfc9421Headers({ method: "POST", url: url.href, headers }, key.keyId, key.key)) };
    }
    try {
      const response = await this.options.dispatcher.request({
        origin: url.origin,
        path,
        method: "POST",
        headers: {
          ...signed,
          "user-agent": this.options.userAgent,
          "fediflow-delivery-id": deliveryId(activityId, inbox),
          accept: "application/activity+json, application/ld+json, */*;q=0.1",
        },
        body: body.body,
        // One budget for the whole exchange: a server that trickles its answer is cut off too.
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
      });
      const retryAfter = response.headers["retry-after"];
      const location = response.headers.location;
      await discardCapped(response.body, this.options.maxResponseBytes).catch(() => undefined);
      return {
        kind: "response",
        status: response.statusCode,
        retryAfter: typeof retryAfter === "string" ? retryAfter : null,
        location: typeof location === "string" ? location : null,
      };
    } catch (error) {
      return { kind: "error", error };
    }
  }
}
