import { createHash } from "node:crypto";
import { cavageSignature, signedPostHeaders } from "@fediflow/activitypub";
import { destinationUrl, discardCapped, type Dispatcher } from "@fediflow/remote-http";
import type { ActivityBody } from "./activity-bodies";
import type { AttemptResult } from "./classify-outcome";
import type { SigningKey } from "@fediflow/actor-keys";

export interface InboxSenderOptions {
  dispatcher: Dispatcher;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  userAgent: string;
  allowPlainHttp: boolean;
}

/** A stable id per (activity, inbox), sent as a header so a receiver can spot a redelivery. */
export function deliveryId(activityId: string, inbox: string): string {
  return createHash("sha256").update(`${activityId}\n${inbox}`).digest("hex").slice(0, 32);
}

/** Signs and POSTs one activity to one inbox; reports the response or the error, never throws. */
export class InboxSender {
  constructor(private readonly options: InboxSenderOptions) {}

  async post(inbox: string, activityId: string, body: ActivityBody, key: SigningKey): Promise<AttemptResult> {
    let url: URL;
    try {
      url = destinationUrl(inbox, this.options.allowPlainHttp);
    } catch (error) {
      return { kind: "error", error: Object.assign(error as Error, { code: "ERR_INVALID_URL" }) };
    }
    const path = `${url.pathname}${url.search}`;
    const headerValues = {
      host: url.host,
      date: new Date().toUTCString(),
      digest: body.digest,
      "content-type": "application/activity+json",
    };
    const signature = cavageSignature({ method: "POST", path, headerValues, headers: signedPostHeaders }, key.keyId, key.key);
    try {
      const response = await this.options.dispatcher.request({
        origin: url.origin,
        path,
        method: "POST",
        headers: {
          ...headerValues,
          signature,
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
