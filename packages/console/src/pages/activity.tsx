import type { ActivityStatus, FediFlowClient, InboxOutcome, InboxRecord, Page } from "@fediflow/client";
import { useState } from "preact/hooks";
import { href } from "../route";
import { useLive } from "../use-live";
import { ConfirmButton, ProblemNotice, ProgressBar, Table, Time } from "../widgets";

const outcomes: InboxOutcome[] = ["delivered", "pending", "parked", "gone", "rejected", "expired", "superseded", "blocked", "discarded"];
const failedForGood = new Set<InboxOutcome>(["gone", "rejected", "expired", "discarded"]);

interface ActivityView {
  status: ActivityStatus;
  inboxes: Page<InboxRecord>;
}

/** One activity: its progress, its inboxes by outcome or host, and a redrive of what failed. */
export function ActivityPage({ client, id }: { client: FediFlowClient; id: string }) {
  const [outcome, setOutcome] = useState<InboxOutcome | "">("");
  const [host, setHost] = useState("");
  const filter = { outcome: outcome || undefined, host: host.trim() || undefined, limit: 200 };
  const [done, setDone] = useState(false);
  const live = useLive<ActivityView>(
    async () => {
      const view = { status: await client.activityStatus(id), inboxes: await client.activityInboxes(id, filter) };
      setDone(view.status.state === "done");
      return view;
    },
    `activity:${id}:${outcome}:${host.trim()}`,
    // Every second while it delivers; a redrive can set a done activity going again.
    done ? 5_000 : 1_000,
  );
  const status = live.data?.status;
  const failed = status ? status.inboxes.failed : 0;
  return (
    <section aria-labelledby="activity-title">
      <p>
        <a href={href({ page: "activities" })}>← Activities</a>
      </p>
      <h1 id="activity-title">
        Activity <span class="mono">{id}</span>
      </h1>
      <ProblemNotice error={live.error} />
      {status ? (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd>
              <span class={`state ${status.state}`} data-state={status.state}>
                {status.state.replace("_", " ")}
              </span>
            </dd>
            <dt>Submitted</dt>
            <dd>
              <Time at={status.createdAt} />
            </dd>
            <dt>Completed</dt>
            <dd>
              <Time at={status.completedAt} />
            </dd>
          </dl>
          <ProgressBar counts={status.inboxes} label="Delivery progress" />
          {failed > 0 ? (
            <ConfirmButton
              label="Redrive failed inboxes"
              question={`Send this activity again to its ${failed} failed ${failed === 1 ? "inbox" : "inboxes"}?`}
              act={async () => {
                const { redriven } = await client.redriveActivity(id);
                live.reload();
                return `Redriven: ${redriven} ${redriven === 1 ? "inbox" : "inboxes"}`;
              }}
            />
          ) : null}
        </>
      ) : null}
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Outcome
          <select value={outcome} onChange={(event) => setOutcome(event.currentTarget.value as InboxOutcome | "")}>
            <option value="">any</option>
            {outcomes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Host
          <input type="search" value={host} onChange={(event) => setHost(event.currentTarget.value)} placeholder="example.org" />
        </label>
      </form>
      {live.data ? (
        <Table
          caption={`Inboxes${live.data.inboxes.next ? " (the first 200)" : ""}`}
          columns={["Inbox", "Host", "Outcome", "Status", "Reason", "Attempts", "Last attempt"]}
        >
          {live.data.inboxes.items.map((inbox) => (
            <tr key={inbox.inbox}>
              <td class="mono">{inbox.inbox}</td>
              <td>
                <a href={href({ page: "host", host: inbox.host })}>{inbox.host}</a>
              </td>
              <td>
                <span class={`outcome ${failedForGood.has(inbox.outcome) ? "failed" : inbox.outcome}`}>{inbox.outcome}</span>
              </td>
              <td>{inbox.status ?? "—"}</td>
              <td>{inbox.reason ?? "—"}</td>
              <td>{inbox.attempts}</td>
              <td>
                <Time at={inbox.lastAttemptAt} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </section>
  );
}
