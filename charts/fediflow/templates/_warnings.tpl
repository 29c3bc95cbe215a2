{{/*
Configuration that renders but will not work as intended, one "WARNING: ..." line each, for
NOTES.txt. Helm has no warning channel of its own, so install and upgrade print these.
*/}}
{{- define "fediflow.warnings" -}}
{{- $root := . -}}
{{- $catalog := include "fediflow.catalog" . | fromYaml -}}
{{- $topics := include "fediflow.topics" . | fromYaml -}}
{{- /* 1. A consumer group never uses more pods than its topic has partitions. */ -}}
{{- range $key, $facts := $catalog -}}
{{- $ctx := dict "root" $root "key" $key "facts" $facts -}}
{{- if and $facts.consumes (include "fediflow.autoscaled" $ctx) -}}
{{- $max := int (include "fediflow.maxReplicas" $ctx) -}}
{{- $partitions := int (index $root.Values.kafka.topics $facts.consumes.topic).partitions -}}
{{- if gt $max $partitions }}
WARNING: {{ $facts.name }} may scale to {{ $max }} replicas but its topic {{ (index $topics $facts.consumes.topic).name }} has {{ $partitions }} partitions: replicas beyond {{ $partitions }} receive no work. Lower services.{{ $key }}.autoscaling.maxReplicas or add partitions (kafka.topics.{{ $facts.consumes.topic }}.partitions).
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* 2. Every pool at its maximum replica count must fit PostgreSQL's connection limit. */ -}}
{{- $total := 1 -}}
{{- $parts := list "1 (migrations)" -}}
{{- range $key, $facts := $catalog -}}
{{- if $facts.database -}}
{{- $ctx := dict "root" $root "key" $key "facts" $facts -}}
{{- $pool := int (index $root.Values.services $key).databasePoolSize -}}
{{- $max := int (include "fediflow.maxReplicas" $ctx) -}}
{{- $total = add $total (mul $pool $max) -}}
{{- $parts = append $parts (printf "%s %d×%d" $facts.name $pool $max) -}}
{{- end -}}
{{- end -}}
{{- if gt $total (int $root.Values.database.maxConnections) }}
WARNING: at their maximum replica counts the services may open {{ $total }} PostgreSQL connections ({{ join " + " $parts }}), more than database.maxConnections={{ $root.Values.database.maxConnections }}. Lower services.*.databasePoolSize or maxReplicas, raise max_connections, or connect through PgBouncer.
{{- end -}}
{{- /* 3. Connection settings left at the services' localhost defaults. */ -}}
{{- range $setting := list "databaseUrl" "redisUrl" "kafkaBrokers" -}}
{{- if not (include "fediflow.secretProvided" (dict "root" $root "setting" $setting)) }}
WARNING: secrets.{{ $setting }} is not set (nor existingSecret or secrets.refs.{{ $setting }}): the services that need it will not become ready.
{{- end -}}
{{- end -}}
{{- if and $root.Values.keda.enabled (or $root.Values.services.delivery.autoscaling.consumerLag.enabled $root.Values.services.fanOut.autoscaling.consumerLag.enabled) }}
WARNING: keda.enabled replaces the HPAs, so autoscaling.consumerLag (the Prometheus Adapter metric) is ignored; KEDA's Kafka trigger measures the lag itself.
{{- end -}}
{{- end -}}
