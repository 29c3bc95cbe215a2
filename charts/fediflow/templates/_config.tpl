{{/*
The non-secret environment of one service, as ConfigMap data: the shared `config`, the service's
own `config`, then what the chart derives (ports, peer addresses, pool size, TLS file paths,
telemetry). Derived values come last so probes and Services always match the ports the process
listens on. Empty values are dropped so the service's default applies.
*/}}
{{- define "fediflow.configData" -}}
{{- $root := .root -}}
{{- $svc := index $root.Values.services .key -}}
{{- $data := dict -}}
{{- range $name, $value := $root.Values.config }}{{ $_ := set $data $name (toString $value) }}{{ end -}}
{{- range $name, $value := $svc.config }}{{ $_ := set $data $name (toString $value) }}{{ end -}}
{{- if eq .facts.name "ingress" -}}
{{- $_ := set $data "FEDIFLOW_INGRESS_PORT" "8080" -}}
{{- range $key, $facts := include "fediflow.catalog" $root | fromYaml -}}
{{- if $facts.grpc -}}
{{- $_ := set $data $facts.grpc.addressEnv (printf "dns:///%s:%v" (include "fediflow.grpcServiceName" (dict "root" $root "facts" $facts)) $facts.grpc.port) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- $_ := set $data "FEDIFLOW_OPS_PORT" (include "fediflow.opsPort" $root) -}}
{{- end -}}
{{- with .facts.grpc -}}
{{- $_ := set $data .portEnv (toString .port) -}}
{{- end -}}
{{- if .facts.database -}}
{{- $_ := set $data "FEDIFLOW_DATABASE_POOL_SIZE" (toString $svc.databasePoolSize) -}}
{{- end -}}
{{- if and $root.Values.grpc.tls.enabled (or .facts.grpc (eq .facts.name "ingress")) -}}
{{- $dir := include "fediflow.grpcTlsDir" $root -}}
{{- $_ := set $data "FEDIFLOW_GRPC_TLS_CERT_FILE" (printf "%s/%s" $dir $root.Values.grpc.tls.certKey) -}}
{{- $_ := set $data "FEDIFLOW_GRPC_TLS_KEY_FILE" (printf "%s/%s" $dir $root.Values.grpc.tls.keyKey) -}}
{{- $_ := set $data "FEDIFLOW_GRPC_TLS_CA_FILE" (printf "%s/%s" $dir $root.Values.grpc.tls.caKey) -}}
{{- end -}}
{{- if has "kafkaBrokers" .facts.secrets -}}
{{- $kafka := include "fediflow.kafkaSecurity" $root | fromYaml -}}
{{- $dir := include "fediflow.kafkaDir" $root -}}
{{- with $root.Values.kafka.namespace }}{{ $_ := set $data "FEDIFLOW_KAFKA_NAMESPACE" . }}{{ end -}}
{{- if $kafka.tls }}{{ $_ := set $data "FEDIFLOW_KAFKA_TLS" "true" }}{{ end -}}
{{- if $kafka.caSecret }}{{ $_ := set $data "FEDIFLOW_KAFKA_TLS_CA_FILE" (printf "%s/ca/%s" $dir $root.Values.kafka.security.tls.caKey) }}{{ end -}}
{{- if $kafka.certSecret -}}
{{- $_ := set $data "FEDIFLOW_KAFKA_TLS_CERT_FILE" (printf "%s/client/%s" $dir $root.Values.kafka.security.tls.certKey) -}}
{{- $_ := set $data "FEDIFLOW_KAFKA_TLS_KEY_FILE" (printf "%s/client/%s" $dir $root.Values.kafka.security.tls.keyKey) -}}
{{- end -}}
{{- if $kafka.mechanism -}}
{{- $_ := set $data "FEDIFLOW_KAFKA_SASL_MECHANISM" $kafka.mechanism -}}
{{- $_ := set $data "FEDIFLOW_KAFKA_SASL_USERNAME" $kafka.username -}}
{{- end -}}
{{- end -}}
{{- with $root.Values.telemetry.otlpEndpoint -}}
{{- $_ := set $data "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- end -}}
{{- range $name, $value := $root.Values.telemetry.env }}{{ $_ := set $data $name (toString $value) }}{{ end -}}
{{- range $name, $value := $data -}}
{{- if ne $value "" }}
{{ $name }}: {{ $value | quote }}
{{- end -}}
{{- end -}}
{{- end -}}
