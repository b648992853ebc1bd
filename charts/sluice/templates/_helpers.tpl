{{/* The release's base name, at most 63 characters (a DNS label). */}}
{{- define "sluice.fullname" -}}
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

{{/* Component names; trimmed so the suffix always fits. */}}
{{- define "sluice.edgeName" -}}{{ include "sluice.fullname" . | trunc 56 | trimSuffix "-" }}-edge{{- end -}}
{{- define "sluice.workerName" -}}{{ include "sluice.fullname" . | trunc 54 | trimSuffix "-" }}-worker{{- end -}}
{{- define "sluice.redisName" -}}{{ include "sluice.fullname" . | trunc 57 | trimSuffix "-" }}-redis{{- end -}}
{{- define "sluice.routesName" -}}{{ include "sluice.fullname" . | trunc 56 | trimSuffix "-" }}-routes{{- end -}}

{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sluice.labels" -}}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "sluice.configMapName" -}}
{{- default (include "sluice.routesName" .) .Values.existingConfigMap -}}
{{- end -}}

{{/* The Redis host:port KEDA connects to. */}}
{{- define "sluice.kedaRedisAddress" -}}
{{- if .Values.worker.keda.redisAddress -}}
{{- .Values.worker.keda.redisAddress -}}
{{- else if .Values.bundledRedis.enabled -}}
{{- printf "%s:%d" (include "sluice.redisName" .) (int .Values.bundledRedis.port) -}}
{{- else -}}
{{- fail "worker.keda.redisAddress (host:port) is required when worker.keda.enabled is true and bundledRedis is off" -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by edge and worker: config path, Redis URL, logging, secrets. */}}
{{- define "sluice.commonEnv" -}}
- name: SLUICE_CONFIG
  value: /etc/sluice/routes.yaml
- name: SLUICE_REDIS_URL
{{- if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else if .Values.bundledRedis.enabled }}
  value: {{ printf "redis://%s:%d" (include "sluice.redisName" .) (int .Values.bundledRedis.port) | quote }}
{{- else }}
  value: {{ required "redis.url, redis.existingSecret or bundledRedis.enabled is required" .Values.redis.url | quote }}
{{- end }}
- name: SLUICE_LOG_LEVEL
  value: {{ .Values.log.level | quote }}
- name: SLUICE_LOG_FORMAT
  value: {{ .Values.log.format | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "sluice.envFrom" -}}
{{- range .Values.envFromSecrets }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- end -}}

{{/* Volumes shared by edge and worker: routes.yaml as a directory (no subPath, so
ConfigMap updates arrive) and a writable /tmp under the read-only root filesystem. */}}
{{- define "sluice.volumes" -}}
- name: routes
  configMap:
    name: {{ include "sluice.configMapName" . }}
    items:
      - key: {{ if .Values.existingConfigMap }}{{ .Values.existingConfigMapKey }}{{ else }}routes.yaml{{ end }}
        path: routes.yaml
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "sluice.volumeMounts" -}}
- name: routes
  mountPath: /etc/sluice
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "sluice.preStop" -}}
{{- if gt (int .) 0 }}
lifecycle:
  preStop:
    exec:
      command: ["sleep", {{ . | quote }}]
{{- end }}
{{- end -}}
