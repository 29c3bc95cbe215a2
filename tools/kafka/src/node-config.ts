/** One node of a local cluster: a combined KRaft broker and controller. */
export interface KafkaNode {
  id: number;
  /** Client listener (PLAINTEXT on 127.0.0.1). */
  port: number;
  /** Controller listener (KRaft quorum traffic). */
  controllerPort: number;
  /** Its log directory and files. */
  dir: string;
  /** A TLS client listener (SSL), when the cluster was asked for one. */
  tlsPort?: number;
  /** A SASL/SCRAM client listener (SASL_PLAINTEXT), when the cluster was asked for one. */
  scramPort?: number;
}

/** Files of the TLS listener: the broker's PEM key and certificate chain. */
export interface BrokerTls {
  keystorePem: string;
}

/**
 * server.properties for one node. Thread pools are sized for two cores; the internal topics'
 * replication follows the cluster's size (a single node with the default of 3 would leave every
 * consumer waiting for a group coordinator forever); on three nodes a write needs two replicas.
 */
export function nodeProperties(node: KafkaNode, cluster: readonly KafkaNode[], tls?: BrokerTls): string {
  const size = cluster.length;
  const clientListeners = [
    `PLAINTEXT://127.0.0.1:${node.port}`,
    ...(node.tlsPort !== undefined ? [`SSL://127.0.0.1:${node.tlsPort}`] : []),
    ...(node.scramPort !== undefined ? [`SASL_PLAINTEXT://127.0.0.1:${node.scramPort}`] : []),
  ];
  const replication = Math.min(size, 3);
  const minInsync = size >= 3 ? 2 : 1;
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    "controller.quorum.voters": cluster.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(","),
    listeners: [...clientListeners, `CONTROLLER://127.0.0.1:${node.controllerPort}`].join(","),
    "advertised.listeners": clientListeners.join(","),
    "controller.listener.names": "CONTROLLER",
    // Brokers talk among themselves in plaintext on loopback; the secured listeners are for clients.
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT",
    ...(node.tlsPort !== undefined && tls
      ? {
          // One PEM file holding the key (PKCS#8, unencrypted) and the certificate chain.
          "listener.name.ssl.ssl.keystore.type": "PEM",
          "listener.name.ssl.ssl.keystore.location": tls.keystorePem,
          "listener.name.ssl.ssl.client.auth": "none",
        }
      : {}),
    ...(node.scramPort !== undefined
      ? {
          "listener.name.sasl_plaintext.sasl.enabled.mechanisms": "SCRAM-SHA-512",
          "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        }
      : {}),
    "log.dirs": `${node.dir}/data`,
    // Topics come from the contract only; a typo must fail, not create a topic.
    "auto.create.topics.enable": "false",
    "default.replication.factor": replication,
    "min.insync.replicas": minInsync,
    "offsets.topic.replication.factor": replication,
    "offsets.topic.num.partitions": 12,
    "transaction.state.log.replication.factor": replication,
    "transaction.state.log.min.isr": minInsync,
    "share.coordinator.state.topic.replication.factor": replication,
    "share.coordinator.state.topic.min.isr": minInsync,
    // A new group's first rebalance waits this long for more members; tests start groups all day.
    "group.initial.rebalance.delay.ms": 0,
    "num.network.threads": 2,
    "num.io.threads": 2,
    "background.threads": 2,
    "num.replica.fetchers": 1,
    "num.recovery.threads.per.data.dir": 1,
    "log.cleaner.threads": 1,
    // The cleaner looks for compactable logs every second instead of every 15.
    "log.cleaner.backoff.ms": 1000,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")}\n`;
}

/** log4j2 configuration: the node's own log to a file in its folder, nothing on the console. */
export function logConfig(node: KafkaNode): string {
  return [
    "appender.file.type = File",
    "appender.file.name = file",
    `appender.file.fileName = ${node.dir}/server.log`,
    "appender.file.layout.type = PatternLayout",
    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
    "rootLogger.level = INFO",
    "rootLogger.appenderRef.file.ref = file",
    // The state-change and request loggers are the noisiest and say nothing a test needs.
    "logger.state.name = state.change.logger",
    "logger.state.level = WARN",
    "",
  ].join("\n");
}

/** JVM options for a node on a two-core machine: small heap, few GC and compiler threads. */
export function jvmOptions(node: KafkaNode, heapMb: number): string[] {
  return [
    `-Xms${Math.min(128, heapMb)}m`,
    `-Xmx${heapMb}m`,
    "-XX:+UseSerialGC",
    "-XX:CICompilerCount=2",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Djava.net.preferIPv4Stack=true",
    `-Dlog4j2.configurationFile=${node.dir}/log4j2.properties`,
    `-Dkafka.logs.dir=${node.dir}`,
  ];
}
