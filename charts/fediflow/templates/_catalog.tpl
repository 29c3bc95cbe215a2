{{/*
Facts about the five services that the code fixes, not the operator: ports, gRPC service names,
consumer groups and topics (packages/contracts/src/topics.ts), and which secret settings each one
reads (its src/config.ts). Templates iterate over this, so every service gets the same objects.
*/}}
{{- define "fediflow.catalog" -}}
ingress:
  name: ingress
  secrets: [apiTokens]
outbox:
  name: outbox
  database: true
  secrets: [keyEncryptionKey, keyEncryptionKeysPrevious, databaseUrl, databaseReadUrl, kafkaBrokers]
  grpc: {port: 50051, service: fediflow.v1.Outbox, portEnv: FEDIFLOW_OUTBOX_GRPC_PORT, addressEnv: FEDIFLOW_OUTBOX_ADDRESS}
hostHealth:
  name: host-health
  database: true
  secrets: [databaseUrl, databaseReadUrl, redisUrl, kafkaBrokers]
  grpc: {port: 50052, service: fediflow.v1.HostHealth, portEnv: FEDIFLOW_HOST_HEALTH_GRPC_PORT, addressEnv: FEDIFLOW_HOST_HEALTH_ADDRESS}
fanOut:
  name: fan-out
  database: true
  secrets: [keyEncryptionKey, keyEncryptionKeysPrevious, databaseUrl, databaseReadUrl, redisUrl, kafkaBrokers]
  consumes: {topic: activities, group: fediflow-fan-out}
delivery:
  name: delivery
  database: true
  secrets: [keyEncryptionKey, keyEncryptionKeysPrevious, databaseUrl, databaseReadUrl, kafkaBrokers]
  consumes: {topic: deliveries, group: fediflow-delivery}
{{- end -}}

{{/* Secret settings: the variable each one becomes. Optional ones may be absent from an existing Secret. */}}
{{- define "fediflow.secretSettings" -}}
apiTokens: {env: FEDIFLOW_API_TOKENS}
keyEncryptionKey: {env: FEDIFLOW_KEY_ENCRYPTION_KEY}
keyEncryptionKeysPrevious: {env: FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS, optional: true}
databaseUrl: {env: FEDIFLOW_DATABASE_URL}
databaseReadUrl: {env: FEDIFLOW_DATABASE_READ_URL, optional: true}
redisUrl: {env: FEDIFLOW_REDIS_URL}
kafkaBrokers: {env: FEDIFLOW_KAFKA_BROKERS}
{{- end -}}

{{/* Kafka topics by their key in packages/contracts/src/topics.ts. */}}
{{- /* Names carry kafka.namespace in front, as the services' topicName() does. */ -}}
{{- define "fediflow.topics" -}}
{{- $ns := .Values.kafka.namespace | default "" -}}
activities: {name: {{ printf "%sfediflow.activities" $ns | quote }}, compacted: false}
deliveries: {name: {{ printf "%sfediflow.deliveries" $ns | quote }}, compacted: false}
outcomes: {name: {{ printf "%sfediflow.delivery-outcomes" $ns | quote }}, compacted: false}
hostEvents: {name: {{ printf "%sfediflow.host-events" $ns | quote }}, compacted: true}
webhookEvents: {name: {{ printf "%sfediflow.webhook-events" $ns | quote }}, compacted: false}
{{- end -}}

{{- /* A consumer group's name under kafka.namespace, as the services' groupName() does. */ -}}
{{- define "fediflow.groupName" -}}
{{- printf "%s%s" (.root.Values.kafka.namespace | default "") .group -}}
{{- end -}}

{{/* Port of /healthz, /readyz and /metrics on every service (FEDIFLOW_OPS_PORT); ingress's API has its own. */}}
{{- define "fediflow.opsPort" -}}9090{{- end -}}

{{/* Where the gRPC TLS Secret is mounted. */}}
{{- define "fediflow.grpcTlsDir" -}}/etc/fediflow/grpc-tls{{- end -}}
