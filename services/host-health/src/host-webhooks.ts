import { randomUUID } from "node:crypto";
import type { WebhookEvent, WebhookEventType } from "@fediflow/contracts";
import { hostEvent } from "./host-book";
import type { HostRecord, Transition } from "./host-state";

/** The webhook event a state change is, if any: failing and dead as they begin, revived when a dead host answers again. */
export function hostWebhookType(transition: Transition): WebhookEventType | null {
  if (transition.to === "failing" && transition.from !== "failing") return "host.failing";
  if (transition.to === "dead") return "host.dead";
  if (transition.from === "dead" && transition.to === "healthy") return "host.revived";
  return null;
}

/** Webhook events of a batch of state changes: `data` is the host document, its previous state and why. */
export function hostWebhookEvents(changes: Array<{ record: HostRecord; transition: Transition }>, now: number): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const { record, transition } of changes) {
    const type = hostWebhookType(transition);
    if (!type) continue;
    const { pausedUntil: _paused, changedAt: _changed, ...host } = hostEvent(record, now);
    const data = Object.fromEntries(Object.entries({ ...host, from: transition.from, reason: transition.reason }).filter(([, v]) => v !== null));
    events.push({ id: `evt_${randomUUID()}`, type, timestamp: new Date(now).toISOString(), data });
  }
  return events;
}
