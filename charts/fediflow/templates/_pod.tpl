{{/* Probes of one service; the context is the per-service dict. */}}
{{- define "fediflow.probes" -}}
{{- $root := .root -}}
{{- $port := "ops" -}}
startupProbe:
{{- if and .facts.grpc (not $root.Values.grpc.tls.enabled) }}
  # The gRPC server answers grpc.health.v1 for its service once it serves calls.
  grpc:
    port: {{ .facts.grpc.port }}
    service: {{ .facts.grpc.service }}
{{- else if .facts.grpc }}
  # With mutual TLS the kubelet cannot complete a gRPC handshake: check the port is open.
  tcpSocket:
    port: grpc
{{- else }}
  httpGet:
    path: /healthz
    port: {{ $port }}
{{- end }}
  {{- toYaml $root.Values.probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ $port }}
  {{- toYaml $root.Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ $port }}
  {{- toYaml $root.Values.probes.readiness | nindent 2 }}
{{- end -}}

{{/* Container ports of one service. */}}
{{- define "fediflow.containerPorts" -}}
{{- if eq .facts.name "ingress" }}
- name: http
  containerPort: 8080
  protocol: TCP
{{- end }}
- name: ops
  containerPort: {{ include "fediflow.opsPort" .root }}
  protocol: TCP
{{- with .facts.grpc }}
- name: grpc
  containerPort: {{ .port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* "true" when the service takes part in gRPC (and so mounts the TLS Secret when enabled). */}}
{{- define "fediflow.grpcParty" -}}
{{- if or .facts.grpc (eq .facts.name "ingress") -}}true{{- end -}}
{{- end -}}
