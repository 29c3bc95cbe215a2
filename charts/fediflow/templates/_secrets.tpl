{{/*
One secret setting as a container env entry: a per-setting ref wins, then existingSecret, then
the Secret this chart creates. Args: dict "root" $ "setting" <name>.
*/}}
{{- define "fediflow.secretEnv" -}}
{{- $root := .root -}}
{{- $spec := index (include "fediflow.secretSettings" $root | fromYaml) .setting -}}
{{- $ref := index $root.Values.secrets.refs .setting -}}
- name: {{ $spec.env }}
  valueFrom:
    secretKeyRef:
{{- if $ref }}
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- else if $root.Values.secrets.existingSecret }}
      name: {{ $root.Values.secrets.existingSecret }}
      key: {{ index $root.Values.secrets.keys .setting }}
{{- else }}
      name: {{ include "fediflow.fullname" $root }}
      key: {{ index $root.Values.secrets.keys .setting }}
{{- end }}
{{- if $spec.optional }}
      optional: true
{{- end }}
{{- end -}}

{{/* True when a setting is provided somewhere: a ref, an existing Secret, or a value. */}}
{{- define "fediflow.secretProvided" -}}
{{- $root := .root -}}
{{- if or (index $root.Values.secrets.refs .setting) $root.Values.secrets.existingSecret (index $root.Values.secrets .setting) -}}true{{- end -}}
{{- end -}}
