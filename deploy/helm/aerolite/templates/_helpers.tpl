{{/*
Names. The full name is cut to 36 characters so that the longest name built on it, a per-pod
Service "<full>-rack-<id up to 7 digits>-<ordinal>-external", stays a 63-character DNS label.
*/}}
{{- define "aerolite.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 36 | trimSuffix "-" }}
{{- end }}

{{- define "aerolite.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 36 | trimSuffix "-" }}
{{- else if contains (include "aerolite.name" .) .Release.Name }}
{{- .Release.Name | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "aerolite.name" .) | trunc 36 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "aerolite.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "aerolite.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The pods of the data nodes, every rack. */}}
{{- define "aerolite.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aerolite.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node
{{- end }}

{{- define "aerolite.etcdSelectorLabels" -}}
app.kubernetes.io/name: {{ include "aerolite.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: etcd
{{- end }}

{{- define "aerolite.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "aerolite.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{- define "aerolite.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The racks as a YAML document {racks: [...]}, each with its StatefulSet name, replicas, the global
index of its first pod (NodePort numbering) and its config (the global one with the rack's merged
over it). Racks without replicas share what `replicas` leaves, the first ones one more when it
does not divide evenly.
*/}}
{{- define "aerolite.racks" -}}
{{- $fullname := include "aerolite.fullname" . }}
{{- $racks := .Values.racks }}
{{- if not $racks }}
{{- $racks = list (dict "id" 0) }}
{{- end }}
{{- $explicit := 0 }}
{{- $sharing := 0 }}
{{- $seen := dict }}
{{- range $racks }}
{{- $id := toString (int .id) }}
{{- if hasKey $seen $id }}
{{- fail (printf "racks: rack id %s is listed twice" $id) }}
{{- end }}
{{- $_ := set $seen $id true }}
{{- if hasKey . "replicas" }}
{{- $explicit = add $explicit (int .replicas) }}
{{- else }}
{{- $sharing = add1 $sharing }}
{{- end }}
{{- end }}
{{- $left := sub (int .Values.replicas) $explicit }}
{{- if and (gt $sharing 0) (lt $left 0) }}
{{- fail (printf "replicas %d is less than the %d replicas the racks ask for themselves" (int .Values.replicas) $explicit) }}
{{- end }}
{{- $out := list }}
{{- $firstIndex := 0 }}
{{- $sharingIndex := 0 }}
{{- range $racks }}
{{- $replicas := 0 }}
{{- if hasKey . "replicas" }}
{{- $replicas = int .replicas }}
{{- else }}
{{- $replicas = int (div $left $sharing) }}
{{- if lt $sharingIndex (int (mod $left $sharing)) }}
{{- $replicas = add1 $replicas }}
{{- end }}
{{- $sharingIndex = add1 $sharingIndex }}
{{- end }}
{{- $name := $fullname }}
{{- if $.Values.racks }}
{{- $name = printf "%s-rack-%d" $fullname (int .id) }}
{{- end }}
{{- $config := mergeOverwrite (deepCopy $.Values.config) (deepCopy (.config | default dict)) }}
{{- $out = append $out (dict "id" (int .id) "zone" (.zone | default "") "name" $name "replicas" $replicas "firstIndex" $firstIndex "nodeSelector" (.nodeSelector | default dict) "affinity" (.affinity | default dict) "config" $config) }}
{{- $firstIndex = add $firstIndex $replicas }}
{{- end }}
{{- toYaml (dict "racks" $out "nodes" $firstIndex) }}
{{- end }}

{{/* The etcd endpoints the nodes use, HOST:PORT joined by commas (empty: no cluster). */}}
{{- define "aerolite.etcdEndpoints" -}}
{{- if .Values.etcd.enabled }}
{{- $fullname := include "aerolite.fullname" . }}
{{- $members := list }}
{{- range $i := until (int .Values.etcd.replicas) }}
{{- $members = append $members (printf "%s-etcd-%d.%s-etcd.%s.svc.%s:2379" $fullname $i $fullname $.Release.Namespace $.Values.clusterDomain) }}
{{- end }}
{{- join "," $members }}
{{- else }}
{{- join "," .Values.etcd.endpoints }}
{{- end }}
{{- end }}

{{/* A size or duration as the config file writes it: strings as they are, numbers as integers (never 4e+09). */}}
{{- define "aerolite.confValue" -}}
{{- if kindIs "string" . }}{{ . }}{{ else }}{{ int64 . }}{{ end }}
{{- end }}

{{/* aerolite.conf from a rack's config; called with (dict "config" CONFIG "root" $). */}}
{{- define "aerolite.conf" -}}
{{- $c := .config }}
{{- $root := .root }}
{{- $endpoints := include "aerolite.etcdEndpoints" $root -}}
# Rendered by the aerolite Helm chart from its values. The pod's AEROLITE_* variables override what
# they name (rack id, access addresses, etcd endpoints, HTTP port).
service {
    cluster-name {{ $c.clusterName | default (include "aerolite.fullname" $root) }}
{{- range $c.service.extra }}
    {{ . }}
{{- end }}
}

logging {
    console {
        context any {{ $c.logLevel }}
    }
}

network {
    service {
        address any
        port {{ int $root.Values.ports.service }}
    }
{{- if $endpoints }}
    heartbeat {
        mode etcd
{{- range splitList "," $endpoints }}
        etcd-endpoint {{ . }}
{{- end }}
        interval {{ int $c.heartbeat.intervalMs }}
        timeout {{ int $c.heartbeat.timeoutCount }}
    }
{{- end }}
    fabric {
        port {{ int $root.Values.ports.fabric }}
    }
    http {
        port {{ int $root.Values.ports.http }}
    }
}
{{- range $c.namespaces }}
{{- $storage := .storage | default dict }}

namespace {{ .name }} {
{{- if hasKey . "replicationFactor" }}
    replication-factor {{ int .replicationFactor }}
{{- end }}
{{- if hasKey . "defaultTtl" }}
    default-ttl {{ include "aerolite.confValue" .defaultTtl }}
{{- end }}
{{- if eq ($storage.engine | default "memory") "device" }}
    storage-engine device {
        file /var/lib/aerolite/{{ .name }}.dat
        filesize {{ include "aerolite.confValue" $storage.fileSize }}
{{- else }}
    storage-engine memory {
{{- if hasKey $storage "dataSize" }}
        data-size {{ include "aerolite.confValue" $storage.dataSize }}
{{- end }}
{{- if $storage.persist }}
        file /var/lib/aerolite/{{ .name }}.dat
{{- end }}
{{- end }}
{{- range $storage.extra }}
        {{ . }}
{{- end }}
    }
{{- range .extra }}
    {{ . }}
{{- end }}
}
{{- end }}
{{- end }}
