import type { FediFlowClient, HostState } from "@fediflow/client";
import { useState } from "preact/hooks";
import { href } from "../route";
import { useLive } from "../use-live";
import { ProblemNotice, Table, Time } from "../widgets";

const states: HostState[] = ["healthy", "failing", "dead", "blocked"];

/** Remote servers by state: where to look first when deliveries fail. */
export function HostsPage({ client }: { client: FediFlowClient }) {
  const [state, setState] = useState<HostState | "">("");
  const live = useLive(() => client.hosts({ state: state || undefined, limit: 500 }), `hosts:${state}`, 5_000);
  return (
    <section aria-labelledby="hosts-title">
      <h1 id="hosts-title">Hosts</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          State
          <select value={state} onChange={(event) => setState(event.currentTarget.value as HostState | "")}>
            <option value="">any</option>
            {states.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ProblemNotice error={live.error} />
      {live.data ? (
        <Table
          caption={`Hosts${state ? ` that are ${state}` : ""}, by name`}
          columns={["Host", "State", "Failures", "Last success", "Next probe"]}
        >
          {live.data.map((host) => (
            <tr key={host.host}>
              <td>
                <a href={href({ page: "host", host: host.host })}>{host.host}</a>
              </td>
              <td>
                <span class={`state ${host.state}`}>{host.state}</span>
              </td>
              <td>{host.failures}</td>
              <td>
                <Time at={host.lastSuccessAt} />
              </td>
              <td>
                <Time at={host.nextProbeAt} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {live.data && live.data.length === 0 ? <p>No host{state ? ` is ${state}` : " yet"}.</p> : null}
    </section>
  );
}
