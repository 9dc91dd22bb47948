// The StatefulSet controller's decisions for one set, from the objects as they are: which pods
// and claims to create, which pods to delete, which orphans to adopt, and the set's status.
// Pure: the kubelet applies the plan and calls this again on the next change.
//
// Only the OnDelete update strategy is simulated: a pod keeps the template it was made from until
// someone deletes it, and comes back from the current template. RollingUpdate is treated as
// OnDelete (the operator rolls pods itself by deleting them). Claims are never deleted by the
// controller (the Retain policy, Kubernetes' default).
import { createHash } from 'node:crypto'
import type { OwnerReference } from './objects.ts'
import { isJsonObject } from './objects.ts'
import { matchesLabels } from './selectors.ts'
import { isTerminating } from './store.ts'
import { podReady, type ClaimObject, type PodObject, type StatefulSetObject, type StatefulSetStatus } from './kube-types.ts'

export interface StatefulSetPlan {
  /** Pods without a controller that match the set's name and selector: they get its owner reference. */
  adopt: string[]
  createClaims: ClaimObject[]
  createPods: PodObject[]
  deletePods: string[]
  status: StatefulSetStatus
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isJsonObject(value)) return `{${Object.keys(value).filter((k) => value[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  return JSON.stringify(value)
}

/** `${set}-${hash of the template}`: the controller-revision-hash of its pods; key order does not matter. */
export function revisionOf(set: StatefulSetObject): string {
  return `${set.metadata.name}-${createHash('sha256').update(canonicalJson(set.spec.template)).digest('hex').slice(0, 10)}`
}

function ordinalOf(setName: string, podName: string): number | undefined {
  const match = /^(.*)-(0|[1-9]\d*)$/.exec(podName)
  return match !== null && match[1] === setName ? Number(match[2]) : undefined
}

function controllerOf(pod: PodObject): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((ref) => ref.controller === true)
}

export function ownerReference(set: StatefulSetObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }
}

function claimName(claim: string, podName: string): string {
  return `${claim}-${podName}`
}

function newPod(set: StatefulSetObject, ordinal: number, revision: string): PodObject {
  const name = `${set.metadata.name}-${ordinal}`
  const { template } = set.spec
  const claims = set.spec.volumeClaimTemplates ?? []
  const claimVolumes = claims.map((c) => ({ name: c.metadata.name!, persistentVolumeClaim: { claimName: claimName(c.metadata.name!, name) } }))
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        'controller-revision-hash': revision,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
      },
      ...(template.metadata?.annotations === undefined ? {} : { annotations: template.metadata.annotations }),
      ownerReferences: [ownerReference(set)],
    },
    spec: {
      ...template.spec,
      volumes: [...(template.spec.volumes ?? []).filter((v) => !claims.some((c) => c.metadata.name === v.name)), ...claimVolumes],
      hostname: name,
      ...(set.spec.serviceName === undefined ? {} : { subdomain: set.spec.serviceName }),
    },
  }
}

function newClaims(set: StatefulSetObject, podName: string, existing: ReadonlySet<string>): ClaimObject[] {
  return (set.spec.volumeClaimTemplates ?? [])
    .filter((c) => !existing.has(claimName(c.metadata.name!, podName)))
    .map((c) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(c.metadata.name!, podName),
        namespace: set.metadata.namespace,
        labels: { ...c.metadata.labels, ...set.spec.selector.matchLabels },
        ...(c.metadata.annotations === undefined ? {} : { annotations: c.metadata.annotations }),
      },
      spec: c.spec,
    }))
}

/**
 * pods: every pod of the set's namespace; claims: the names of the namespace's claims.
 * OrderedReady (the default) creates the lowest missing ordinal only once every lower one is
 * Running and Ready, and deletes the highest surplus one only once no pod is terminating and the
 * wanted ones are Ready; Parallel does all of it at once.
 */
export function planStatefulSet(set: StatefulSetObject, pods: readonly PodObject[], claims: ReadonlySet<string>): StatefulSetPlan {
  const setName = set.metadata.name!
  const wanted = set.spec.replicas ?? 1
  const revision = revisionOf(set)
  const parallel = set.spec.podManagementPolicy === 'Parallel'

  const members = new Map<number, PodObject>()
  const adopt: string[] = []
  for (const pod of pods) {
    const ordinal = ordinalOf(setName, pod.metadata.name!)
    if (ordinal === undefined) continue
    const controller = controllerOf(pod)
    if (controller?.uid === set.metadata.uid) {
      members.set(ordinal, pod)
    } else if (controller === undefined && !isTerminating(pod) && matchesLabels(pod.metadata.labels, set.spec.selector.matchLabels)) {
      adopt.push(pod.metadata.name!)
      members.set(ordinal, pod)
    }
  }
  const healthy = (pod: PodObject): boolean => podReady(pod) && !isTerminating(pod)

  const createClaims: ClaimObject[] = []
  const createPods: PodObject[] = []
  let blocked = false
  for (let ordinal = 0; ordinal < wanted; ordinal++) {
    const pod = members.get(ordinal)
    if (pod === undefined) {
      const created = newPod(set, ordinal, revision)
      createClaims.push(...newClaims(set, created.metadata.name!, claims))
      createPods.push(created)
      blocked = true
      if (!parallel) break
    } else if (!healthy(pod)) {
      blocked = true
      if (!parallel) break
    }
  }

  const surplus = [...members].filter(([ordinal]) => ordinal >= wanted).sort(([a], [b]) => b - a).map(([, pod]) => pod)
  const deletePods = parallel
    ? surplus.filter((pod) => !isTerminating(pod)).map((pod) => pod.metadata.name!)
    : deleteOrdered(surplus, blocked)

  return { adopt, createClaims, createPods, deletePods, status: statusOf(set, [...members.values()], revision) }
}

/** OrderedReady scale-down: one pod at a time, highest first, and only while nothing else is unhealthy. */
function deleteOrdered(surplusHighestFirst: readonly PodObject[], wantedBlocked: boolean): string[] {
  const [highest] = surplusHighestFirst
  if (wantedBlocked || highest === undefined || surplusHighestFirst.some(isTerminating)) return []
  // An unhealthy surplus pod below the highest one blocks, as the first unhealthy pod does in Kubernetes.
  if (surplusHighestFirst.slice(1).some((pod) => !podReady(pod))) return []
  return [highest.metadata.name!]
}

function statusOf(set: StatefulSetObject, members: readonly PodObject[], updateRevision: string): StatefulSetStatus {
  const wanted = set.spec.replicas ?? 1
  const live = members.filter((pod) => !isTerminating(pod))
  const atRevision = (revision: string): number => live.filter((pod) => pod.metadata.labels?.['controller-revision-hash'] === revision).length
  const readyReplicas = members.filter(podReady).length
  const updatedReplicas = atRevision(updateRevision)
  // Kubernetes only moves currentRevision on with RollingUpdate; the fake does it for OnDelete
  // too once every wanted pod runs the update revision and is Ready (see README.md).
  const done = members.length === wanted && updatedReplicas === wanted && readyReplicas === wanted
  const currentRevision = done ? updateRevision : set.status?.currentRevision ?? updateRevision
  return {
    observedGeneration: set.metadata.generation!,
    replicas: members.length,
    readyReplicas,
    availableReplicas: readyReplicas,
    currentReplicas: atRevision(currentRevision),
    updatedReplicas,
    currentRevision,
    updateRevision,
    collisionCount: 0,
  }
}
