import { topics, type HostEvent } from "@fediflow/contracts";
import { TopicView, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import { HostStandings } from "./host-standings";

/** HostStandings kept current from the compacted host-events topic. */
export class HostView extends HostStandings {
  private readonly view: TopicView<HostEvent>;

  constructor(kafka: Kafka, logger: Logger, groupPrefix: string) {
    super();
    this.view = new TopicView({ kafka, topic: topics.hostEvents, groupPrefix, logger, apply: (host, event) => this.apply(host, event) });
  }

  /** Resolves once every host event published before the call is applied. */
  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }
}
