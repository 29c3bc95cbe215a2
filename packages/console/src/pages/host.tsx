import type { Attempt, FediFlowClient, Host, Page, ParkedDelivery } from "@fediflow/client";
import { useState } from "preact/hooks";
import { href } from "../route";
import { useLive } from "../use-live";
import { ConfirmButton, ProblemNotice, Table, Time } from "../widgets";

interface HostView {
  host: Host;
  attempts: Attempt[];
  parked: Page<ParkedDelivery>;
}

const windows = [
  { label: "the last hour", ms: 3_600_000 },
  { label: "the last day", ms: 86_400_000 },
  { label: "the last week", ms: 7 * 86_400_000 },
];

/** One remote server: its state, its recent attempts and parked deliveries, and what an operator can do. */
export function HostPage({ client, host }: { client: FediFlowClient; host: string }) {
  const live = useLive<HostView>(
    async () => {
      const [record, attempts, parked] = await Promise.all([
        client.host(host),
        client.hostAttempts(host, 50),
        client.parked(host, { limit: 100 }),
      ]);
      return { host: record, attempts, parked };
    },
    `host:${host}`,
    2_000,
  );
  const [windowMs, setWindowMs] = useState(windows[0]!.ms);
  const view = live.data;
  const act = (work: () => Promise<unknown>, done: string) => async () => {
    await work();
    live.reload();
    return done;
  };
  return (
    <section aria-labelledby="host-title">
      <p>
        <a href={href({ page: "hosts" })}>← Hosts</a>
      </p>
      <h1 id="host-title">{host}</h1>
      <ProblemNotice error={live.error} />
      {view ? (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd>
              <span class={`state ${view.host.state}`} data-state={view.host.state}>
                {view.host.state}
              </span>
            </dd>
            <dt>Failures</dt>
            <dd>{view.host.failures}</dd>
            <dt>First failure</dt>
            <dd>
              <Time at={view.host.firstFailureAt} />
            </dd>
            <dt>Last success</dt>
            <dd>
              <Time at={view.host.lastSuccessAt} />
            </dd>
            <dt>Next probe</dt>
            <dd>
              <Time at={view.host.nextProbeAt} />
            </dd>
          </dl>
          <div class="actions">
            {view.host.state === "blocked" ? (
              <ConfirmButton
                label="Unblock"
                question={`Deliver to ${host} again?`}
                act={act(() => client.unblockHost(host), `${host} unblocked`)}
              />
            ) : (
              <ConfirmButton
                label="Block"
                question={`Stop delivering to ${host}?`}
                act={act(() => client.blockHost(host), `${host} blocked`)}
              />
            )}
            <ConfirmButton
              label="Mark seen"
              question={`Record that ${host} is reachable (revives it if dead)?`}
              act={act(() => client.hostSeen(host), `${host} marked seen`)}
            />
            <div class="redrive">
              <label>
                Redrive what failed in
                <select value={windowMs} onChange={(event) => setWindowMs(Number(event.currentTarget.value))}>
                  {windows.map((window) => (
                    <option key={window.ms} value={window.ms}>
                      {window.label}
                    </option>
                  ))}
                </select>
              </label>
              <ConfirmButton
                label="Redrive"
                question={`Send again everything that failed for good on ${host} in that window?`}
                act={async () => {
                  const { redriven } = await client.redriveHost(host, { since: new Date(Date.now() - windowMs).toISOString() });
                  live.reload();
                  return `Redriven: ${redriven} ${redriven === 1 ? "inbox" : "inboxes"}`;
                }}
              />
            </div>
          </div>
          <Table
            caption={`Recent attempts (${view.attempts.length})`}
            columns={["At", "Activity", "Inbox", "Outcome", "Status", "Reason", "Took"]}
          >
            {view.attempts.map((attempt, index) => (
              <tr key={`${attempt.at}:${index}`}>
                <td>
                  <Time at={attempt.at} />
                </td>
                <td>
                  <a href={href({ page: "activity", id: attempt.activityId })} class="mono">
                    {attempt.activityId}
                  </a>
                </td>
                <td class="mono">{attempt.inbox}</td>
                <td>{attempt.outcome}</td>
                <td>{attempt.status ?? "—"}</td>
                <td>{attempt.reason ?? "—"}</td>
                <td>{Math.round(attempt.durationMs)} ms</td>
              </tr>
            ))}
          </Table>
          <Table
            caption={`Parked deliveries (${view.parked.items.length}${view.parked.next ? "+" : ""}), sent when the host revives`}
            columns={["Parked", "Activity", "Inbox"]}
          >
            {view.parked.items.map((parked) => (
              <tr key={`${parked.activityId}:${parked.inbox}`}>
                <td>
                  <Time at={parked.parkedAt} />
                </td>
                <td>
                  <a href={href({ page: "activity", id: parked.activityId })} class="mono">
                    {parked.activityId}
                  </a>
                </td>
                <td class="mono">{parked.inbox}</td>
              </tr>
            ))}
          </Table>
        </>
      ) : null}
    </section>
  );
}
