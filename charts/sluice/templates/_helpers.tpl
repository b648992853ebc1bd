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
{{- define "sluice.consoleName" -}}{{ include "sluice.fullname" . | trunc 53 | trimSuffix "-" }}-console{{- end -}}
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

{{/* The Redis host:port KEDA connects to. KEDA's operator runs in its own namespace, so the
bundled Redis is named with the release's namespace: a bare Service name would not resolve there. */}}
{{- define "sluice.kedaRedisAddress" -}}
{{- if .Values.worker.keda.redisAddress -}}
{{- .Values.worker.keda.redisAddress -}}
{{- else if .Values.bundledRedis.enabled -}}
{{- printf "%s.%s.svc:%d" (include "sluice.redisName" .) .Release.Namespace (int .Values.bundledRedis.port) -}}
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

{{/* Volumes shared by edge, worker and console: routes.yaml as a directory (no subPath, so
ConfigMap updates arrive), a writable /tmp under the read-only root filesystem, and the
operator's extraVolumes (files for ${file:/path} secrets and endpoint TLS). */}}
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
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "sluice.volumeMounts" -}}
- name: routes
  mountPath: /etc/sluice
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "sluice.preStop" -}}
{{- if gt (int .) 0 }}
lifecycle:
  preStop:
    exec:
      command: ["sleep", {{ . | quote }}]
{{- end }}
{{- end -}}

{{/* The longest endpoint `timeout` in the routes given in values (an object, or a YAML string
parsed here), as JSON {"ms": N, "endpoint": "TENANT/NAME", "known": BOOL}. An endpoint without a
`timeout` has Sluice's default, 15s. "known" is false when routes come from existingConfigMap,
which the chart cannot read, or when the string is not YAML (Sluice reports that itself). */}}
{{- define "sluice.longestEndpointTimeout" -}}
{{- $result := dict "ms" 0 "endpoint" "" "known" false -}}
{{- $routes := .Values.routes -}}
{{- if kindIs "string" $routes -}}
{{- $routes = fromYaml $routes -}}
{{- end -}}
{{- if and (not .Values.existingConfigMap) (kindIs "map" $routes) (not (hasKey $routes "Error")) -}}
{{- $_ := set $result "known" true -}}
{{- $unitMillis := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 -}}
{{- range $tenantName, $tenant := (default dict $routes.tenants) -}}
{{- if kindIs "map" $tenant -}}
{{- range $endpointName, $endpoint := (default dict $tenant.endpoints) -}}
{{- $text := "15s" -}}
{{- if and (kindIs "map" $endpoint) (hasKey $endpoint "timeout") -}}
{{- $text = toString $endpoint.timeout -}}
{{- end -}}
{{- /* Durations are parts from largest to smallest unit, e.g. 1h30m; "ms" is tried before "m". */ -}}
{{- $ms := 0 -}}
{{- range $part := regexFindAll "[0-9]+(ms|d|h|m|s)" $text -1 -}}
{{- $number := regexFind "^[0-9]+" $part -}}
{{- $ms = add $ms (mul (int64 $number) (get $unitMillis (trimPrefix $number $part))) -}}
{{- end -}}
{{- if gt (int64 $ms) (int64 (get $result "ms")) -}}
{{- $_ := set $result "ms" $ms -}}
{{- $_ := set $result "endpoint" (printf "%s/%s" $tenantName $endpointName) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{/* Fails the render when routes given in values name another Redis prefix or partition count
than redis.prefix / redis.partitions, which KEDA's triggers are built from: a mismatch would
leave the worker scaling on streams nothing writes to. Routes from existingConfigMap, or a
string that is not YAML, cannot be read here. */}}
{{- define "sluice.checkRedisNaming" -}}
{{- $routes := .Values.routes -}}
{{- if kindIs "string" $routes -}}
{{- $routes = fromYaml $routes -}}
{{- end -}}
{{- if and (not .Values.existingConfigMap) (kindIs "map" $routes) (not (hasKey $routes "Error")) -}}
{{- $redis := default dict $routes.redis -}}
{{- $prefix := toString (default "sluice" $redis.prefix) -}}
{{- $partitions := int64 (default 1 $redis.partitions) -}}
{{- if ne $prefix (toString .Values.redis.prefix) -}}
{{- fail (printf "redis.prefix (%s) must equal redis.prefix in routes (%s): KEDA and the worker would look at different streams. Set redis.prefix=%s" (toString .Values.redis.prefix) $prefix $prefix) -}}
{{- end -}}
{{- if ne $partitions (int64 .Values.redis.partitions) -}}
{{- fail (printf "redis.partitions (%d) must equal redis.partitions in routes (%d): KEDA would not watch every partition's delivery stream. Set redis.partitions=%d" (int64 .Values.redis.partitions) $partitions $partitions) -}}
{{- end -}}
{{- end -}}
{{- end -}}
