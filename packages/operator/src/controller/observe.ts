// What the controller reads from the Kubernetes API for one AeroliteCluster, as the planner's
// Observed: its StatefulSets, pods, PVCs and ConfigMaps (by the cluster's labels), and whether
// its headless Service exists. Always read from the API, never a cache that may lag its own writes.
import type { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node'
import { CONFIG_FILE_NAME, CONFIG_HASH_ANNOTATION, RACK_LABEL, TEMPLATE_HASH_ANNOTATION, clusterLabels, headlessServiceName } from '../names.ts'
import type { ObservedConfigMap, ObservedPod, ObservedPvc, ObservedStatefulSet } from '../types.ts'

export interface KubernetesObserved {
  headlessServiceExists: boolean
  configMaps: ObservedConfigMap[]
  statefulSets: ObservedStatefulSet[]
  pods: ObservedPod[]
  /** The raw pods, for their addresses. */
  podObjects: V1Pod[]
  pvcs: ObservedPvc[]
}

export function labelSelector(cluster: string): string {
  return Object.entries(clusterLabels(cluster)).map(([key, value]) => `${key}=${value}`).join(',')
}

function rackOf(labels: Record<string, string> | undefined): number | undefined {
  const text = labels?.[RACK_LABEL]
  return text === undefined || !/^\d+$/.test(text) ? undefined : Number(text)
}

export async function observeKubernetes(core: CoreV1Api, apps: AppsV1Api, namespace: string, cluster: string): Promise<KubernetesObserved> {
  const selector = labelSelector(cluster)
  const [services, configMaps, statefulSets, pods, pvcs] = await Promise.all([
    core.listNamespacedService({ namespace, fieldSelector: `metadata.name=${headlessServiceName(cluster)}` }),
    core.listNamespacedConfigMap({ namespace, labelSelector: selector }),
    apps.listNamespacedStatefulSet({ namespace, labelSelector: selector }),
    core.listNamespacedPod({ namespace, labelSelector: selector }),
    core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: selector }),
  ])
  const observedSets: ObservedStatefulSet[] = []
  for (const set of statefulSets.items) {
    const rackId = rackOf(set.metadata?.labels)
    const template = set.spec?.template
    if (rackId === undefined || template === undefined) continue
    observedSets.push({
      name: set.metadata!.name!,
      rackId,
      replicas: set.spec?.replicas ?? 0,
      image: template.spec?.containers[0]?.image ?? '',
      configHash: template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? '',
      templateHash: template.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] ?? '',
      volumeClaims: (set.spec?.volumeClaimTemplates ?? []).map((claim) => ({
        name: claim.metadata?.name ?? '',
        size: claim.spec?.resources?.requests?.storage ?? '',
        ...(claim.spec?.storageClassName === undefined ? {} : { storageClass: claim.spec.storageClassName }),
      })),
    })
  }
  const observedPods: ObservedPod[] = []
  const podObjects: V1Pod[] = []
  for (const pod of pods.items) {
    const rackId = rackOf(pod.metadata?.labels)
    const name = pod.metadata?.name ?? ''
    const ordinal = /-(\d+)$/.exec(name)
    if (rackId === undefined || ordinal === null) continue
    podObjects.push(pod)
    observedPods.push({
      name,
      rackId,
      ordinal: Number(ordinal[1]),
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      phase: pod.status?.phase ?? 'Pending',
      terminating: pod.metadata?.deletionTimestamp !== undefined,
      image: pod.spec?.containers[0]?.image ?? '',
      configHash: pod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? '',
      templateHash: pod.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] ?? '',
      restartCount: pod.status?.containerStatuses?.[0]?.restartCount ?? 0,
    })
  }
  const observedPvcs: ObservedPvc[] = []
  for (const pvc of pvcs.items) {
    const rackId = rackOf(pvc.metadata?.labels)
    const name = pvc.metadata?.name ?? ''
    // <claim template>-<StatefulSet>-<ordinal>
    const set = observedSets.find((s) => s.rackId === rackId && new RegExp(`-${s.name}-\\d+$`).test(name))
    const volume = set?.volumeClaims.find((claim) => name.startsWith(`${claim.name}-${set.name}-`))
    if (rackId === undefined || volume === undefined) continue
    observedPvcs.push({
      name,
      rackId,
      volume: volume.name,
      requestedSize: pvc.spec?.resources?.requests?.storage ?? '',
      ...(pvc.status?.capacity?.storage === undefined ? {} : { capacity: pvc.status.capacity.storage }),
    })
  }
  const observedConfigMaps: ObservedConfigMap[] = []
  for (const configMap of configMaps.items) {
    const rackId = rackOf(configMap.metadata?.labels)
    const configText = configMap.data?.[CONFIG_FILE_NAME]
    if (rackId === undefined || configText === undefined) continue
    observedConfigMaps.push({ name: configMap.metadata!.name!, rackId, configText })
  }
  return {
    headlessServiceExists: services.items.length > 0,
    configMaps: observedConfigMaps,
    statefulSets: observedSets,
    pods: observedPods,
    podObjects,
    pvcs: observedPvcs,
  }
}
