// The Kubernetes objects behind the planner's actions: the headless Service, a rack's ConfigMap
// and StatefulSet. Owned by the AeroliteCluster, so deleting it deletes them (PVCs stay: the
// StatefulSet's default retention keeps data).
import type { V1ConfigMap, V1OwnerReference, V1Service, V1ServicePort, V1StatefulSet } from '@kubernetes/client-node'
import { CONFIG_DIRECTORY, CONFIG_HASH_ANNOTATION, TEMPLATE_HASH_ANNOTATION } from '../names.ts'
import type { HeadlessService, RackConfigMap, RackTemplate } from '../types.ts'

/** What an owned object needs to know of its AeroliteCluster. */
export interface Owner {
  name: string
  namespace: string
  uid: string
}

/** The uid and gid the image runs as (Dockerfile: USER 10001:10001). */
const IMAGE_USER_ID = 10001
/** A node drains on SIGTERM: long enough for the replies in flight and the index snapshot. */
const TERMINATION_GRACE_SECONDS = 60

function ownerReference(owner: Owner): V1OwnerReference {
  return { apiVersion: 'aerolite.dev/v1alpha1', kind: 'AeroliteCluster', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }
}

export function headlessServiceManifest(owner: Owner, service: HeadlessService): V1Service {
  const ports: V1ServicePort[] = [
    { name: 'service', port: service.ports.service, targetPort: 'service' },
    { name: 'fabric', port: service.ports.fabric, targetPort: 'fabric' },
    ...(service.ports.http === undefined ? [] : [{ name: 'http', port: service.ports.http, targetPort: 'http' }]),
  ]
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: owner.namespace, labels: service.selector, ownerReferences: [ownerReference(owner)] },
    // Stable pod names, and every node listed whether ready or not (monitoring, peers).
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: service.selector, ports },
  }
}

export function configMapManifest(owner: Owner, configMap: RackConfigMap, labels: Record<string, string>): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMap.name, namespace: owner.namespace, labels, ownerReferences: [ownerReference(owner)] },
    data: { [configMap.fileName]: configMap.configText },
  }
}

export function statefulSetManifest(owner: Owner, template: RackTemplate, replicas: number): V1StatefulSet {
  const { podSpec, ports } = template
  const labels = { ...template.labels, ...(podSpec.labels ?? {}) }
  const zoneAffinity = template.zone === undefined ? {} : {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [template.zone] }] }],
      },
    },
  }
  const affinity = { ...zoneAffinity, ...(podSpec.affinity ?? {}) }
  const http = ports.http
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: template.statefulSetName, namespace: owner.namespace, labels: template.labels, ownerReferences: [ownerReference(owner)] },
    spec: {
      serviceName: template.serviceName,
      replicas,
      selector: { matchLabels: template.labels },
      // The operator restarts pods itself, drained one batch at a time; nodes join through etcd,
      // so they may all start at once.
      updateStrategy: { type: 'OnDelete' },
      podManagementPolicy: 'Parallel',
      template: {
        metadata: {
          labels,
          annotations: { ...(podSpec.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: template.configHash, [TEMPLATE_HASH_ANNOTATION]: template.templateHash },
        },
        spec: {
          ...(podSpec.serviceAccountName === undefined ? {} : { serviceAccountName: podSpec.serviceAccountName }),
          automountServiceAccountToken: false,
          // Service links would give the node AEROLITE_* variables of Services named aerolite*.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_USER_ID, runAsGroup: IMAGE_USER_ID, fsGroup: IMAGE_USER_ID },
          ...(podSpec.nodeSelector === undefined ? {} : { nodeSelector: podSpec.nodeSelector }),
          ...(podSpec.tolerations === undefined ? {} : { tolerations: podSpec.tolerations }),
          ...(Object.keys(affinity).length === 0 ? {} : { affinity }),
          containers: [{
            name: 'aerolite',
            image: template.image,
            args: ['start'],
            env: [
              { name: 'AEROLITE_CONFIG', value: template.configPath },
              // Peers and clients reach the pod at its own address.
              { name: 'AEROLITE_ACCESS_ADDRESS', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              // The image sets AEROLITE_HTTP_PORT, which beats the file: say the file's port.
              ...(http === undefined ? [] : [{ name: 'AEROLITE_HTTP_PORT', value: String(http) }]),
            ],
            ports: [
              { name: 'service', containerPort: ports.service },
              { name: 'fabric', containerPort: ports.fabric },
              ...(http === undefined ? [] : [{ name: 'http', containerPort: http }]),
            ],
            ...(http === undefined ? {} : {
              startupProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 120 },
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
            }),
            ...(podSpec.resources === undefined ? {} : { resources: podSpec.resources }),
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [
              { name: 'config', mountPath: CONFIG_DIRECTORY, readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
              ...template.volumes.map((volume) => ({ name: volume.name, mountPath: volume.path })),
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: template.configMapName } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: template.volumes.map((volume) => ({
        metadata: { name: volume.name, labels: template.labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(volume.storageClass === undefined ? {} : { storageClassName: volume.storageClass }),
          resources: { requests: { storage: volume.size } },
        },
      })),
    },
  }
}
