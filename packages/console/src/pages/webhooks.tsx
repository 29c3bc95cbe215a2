import type { FediFlowClient, WebhookSubscription } from "@fediflow/client";
import { useState } from "preact/hooks";
import { useLive } from "../use-live";
import { ConfirmButton, ProblemNotice, Table, Time } from "../widgets";

/** The application's webhook subscriptions and, for one, its recent deliveries. */
export function WebhooksPage({ client }: { client: FediFlowClient }) {
  const live = useLive(() => client.webhooks(), "webhooks", 5_000);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <ProblemNotice error={live.error} />
      {live.data && live.data.length === 0 ? <p>No subscription: create one with POST /v1/webhooks.</p> : null}
      {live.data && live.data.length > 0 ? (
        <Table caption="Subscriptions" columns={["URL", "Events", "Failures", "State", "Created", ""]}>
          {live.data.map((webhook: WebhookSubscription) => (
            <tr key={webhook.id}>
              <td class="mono">{webhook.url}</td>
              <td>{webhook.events.join(", ")}</td>
              <td>{webhook.failures}</td>
              <td>{webhook.paused ? <span class="state dead">paused</span> : <span class="state healthy">active</span>}</td>
              <td>
                <Time at={webhook.createdAt} />
              </td>
              <td>
                <button type="button" aria-expanded={open === webhook.id} onClick={() => setOpen(open === webhook.id ? null : webhook.id)}>
                  Deliveries
                </button>
                {webhook.paused ? (
                  <ConfirmButton
                    label="Resume"
                    question={`Resume deliveries to ${webhook.url}?`}
                    act={async () => {
                      await client.resumeWebhook(webhook.id);
                      live.reload();
                      return "resumed";
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {open ? <WebhookDeliveries client={client} webhook={open} /> : null}
    </section>
  );
}

function WebhookDeliveries({ client, webhook }: { client: FediFlowClient; webhook: string }) {
  const live = useLive(() => client.webhookDeliveries(webhook, 50), `deliveries:${webhook}`, 5_000);
  return (
    <>
      <ProblemNotice error={live.error} />
      {live.data ? (
        <Table caption={`Recent deliveries of ${webhook}`} columns={["At", "Event", "Attempt", "Result", "Status", "Error", "Took"]}>
          {live.data.map((delivery) => (
            <tr key={`${delivery.eventId}:${delivery.attempt}`}>
              <td>
                <Time at={delivery.at} />
              </td>
              <td>{delivery.type}</td>
              <td>{delivery.attempt}</td>
              <td>{delivery.result}</td>
              <td>{delivery.status ?? "—"}</td>
              <td>{delivery.error ?? "—"}</td>
              <td>{Math.round(delivery.durationMs)} ms</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}
