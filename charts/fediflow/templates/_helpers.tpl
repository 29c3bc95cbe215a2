{{/* Names and labels. Every object of a service carries app.kubernetes.io/component=<service>. */}}

{{- define "fediflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<release>-fediflow", or the release name alone when it already contains the chart name. */}}
{{- define "fediflow.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fediflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of objects that belong to the release as a whole. */}}
{{- define "fediflow.commonLabels" -}}
helm.sh/chart: {{ include "fediflow.chart" . }}
app.kubernetes.io/name: {{ include "fediflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fediflow
{{- end -}}

{{/* The per-service helpers below take a context: dict "root" $ "key" <values key> "facts" <catalog entry>. */}}

{{/* "<fullname>-<service>", e.g. "prod-fediflow-delivery". */}}
{{- define "fediflow.componentName" -}}
{{- printf "%s-%s" (include "fediflow.fullname" .root) .facts.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The headless Service of a gRPC server, which its clients balance over (service.yaml). */}}
{{- define "fediflow.grpcServiceName" -}}
{{- printf "%s-%s-grpc" (include "fediflow.fullname" .root) .facts.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fediflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fediflow.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .facts.name }}
{{- end -}}

{{- define "fediflow.labels" -}}
{{ include "fediflow.commonLabels" .root }}
app.kubernetes.io/component: {{ .facts.name }}
{{- end -}}

{{- define "fediflow.image" -}}
{{- $image := .Values.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* "true" when the service's replica count belongs to an autoscaler (an HPA or KEDA). */}}
{{- define "fediflow.autoscaled" -}}
{{- $svc := index .root.Values.services .key -}}
{{- if and $svc.autoscaling $svc.autoscaling.enabled -}}true{{- end -}}
{{- end -}}

{{/* The most pods the service can run: maxReplicas when autoscaled, else replicaCount. */}}
{{- define "fediflow.maxReplicas" -}}
{{- $svc := index .root.Values.services .key -}}
{{- if include "fediflow.autoscaled" . -}}{{ $svc.autoscaling.maxReplicas }}{{- else -}}{{ $svc.replicaCount }}{{- end -}}
{{- end -}}

{{/*
How the services reach Kafka, resolved once from kafka.security and kafka.user: the Secrets to
mount, the SASL mechanism, username and password Secret. A KafkaUser made by this chart supplies
what was left empty (its SCRAM password Secret, or its TLS client certificate).
*/}}
{{- define "fediflow.kafkaSecurity" -}}
{{- $security := .Values.kafka.security -}}
{{- $user := .Values.kafka.user -}}
{{- $userName := $user.name | default (include "fediflow.fullname" .) -}}
{{- $mechanism := $security.sasl.mechanism -}}
{{- if and $user.create (ne $user.authentication "tls") (not $mechanism) -}}{{- $mechanism = $user.authentication -}}{{- end -}}
{{- $certSecret := $security.tls.clientCertSecret -}}
{{- if and $user.create (eq $user.authentication "tls") (not $certSecret) -}}{{- $certSecret = $userName -}}{{- end -}}
tls: {{ if or $security.tls.enabled $security.tls.caSecret $certSecret }}true{{ else }}false{{ end }}
caSecret: {{ $security.tls.caSecret | quote }}
certSecret: {{ $certSecret | quote }}
mechanism: {{ $mechanism | quote }}
{{- if $mechanism }}
username: {{ $security.sasl.username | default (ternary $userName "" (and $user.create true)) | required "kafka.security.sasl.username is required with a SASL mechanism" | quote }}
passwordSecret: {{ $security.sasl.passwordSecret.name | default (ternary $userName "" (and $user.create true)) | required "kafka.security.sasl.passwordSecret.name is required with a SASL mechanism" | quote }}
passwordKey: {{ $security.sasl.passwordSecret.key | quote }}
{{- end }}
{{- end -}}

{{/* Where the Kafka TLS Secrets are mounted. */}}
{{- define "fediflow.kafkaDir" -}}/etc/fediflow/kafka{{- end -}}
