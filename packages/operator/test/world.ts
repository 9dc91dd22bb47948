// A small model of what the controller and the cluster do with the planner's actions: objects in
// Kubernetes (StatefulSets make and remove pods, PVCs stay), and nodes that quiesce, recluster,
// migrate and run set-config. Tests drive it plan by plan and decide when pods become ready and
// when migrations end, so every intermediate state can be looked at.
import assert from 'node:assert/strict'
import { namespaceConfigEntries, serviceConfigEntries } from '@aerolite/server/config'
import { parseRenderedConfig, plan } from '../src/index.ts'
import type {
  Action,
  AeroliteCluster,
  AeroliteClusterSpec,
  Condition,
  ConditionType,
  Observed,
  ObservedConfigMap,
  ObservedNode,
  ObservedPod,
  ObservedPvc,
  ObservedStatefulSet,
  Plan,
  RackTemplate,
  RunningConfig,
} from '../src/index.ts'

export const START_MS = Date.parse('2025-03-01T12:00:00Z')

/** A three-node cluster of one in-memory namespace with replication factor 2 and a 10Gi volume. */
export function baseSpec(overrides: Partial<AeroliteClusterSpec> = {}): AeroliteClusterSpec {
  return {
    size: 3,
    image: 'aerolite:1.0',
    etcd: { endpoints: ['etcd.db.svc:2379'] },
    storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size: '10Gi' }] },
    config: {
      namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G', files: ['/var/lib/aerolite/test.dat'] } }],
    },
    ...overrides,
  }
}

/** The get-config answers of a node started on `configText`, made with the server's own tables. */
function runningConfigOf(configText: string): RunningConfig {
  const config = parseRenderedConfig(configText)
  const strings = (entries: Array<[string, string | number | boolean]>): Record<string, string> =>
    Object.fromEntries(entries.map(([key, value]) => [key, String(value)]))
  return {
    service: strings(serviceConfigEntries(config, 'BB9000000000001')),
    namespaces: Object.fromEntries(config.namespaces.map((ns) => [ns.name, strings(namespaceConfigEntries(ns))])),
  }
}

export class World {
  cluster: AeroliteCluster
  nowMs = START_MS
  service = false
  configMaps = new Map<number, ObservedConfigMap>()
  statefulSets = new Map<number, ObservedStatefulSet>()
  pods = new Map<string, ObservedPod>()
  pvcs = new Map<string, ObservedPvc>()
  nodes = new Map<string, ObservedNode>()
  clusterStable = true
  migrationsRemaining = 0
  /** Partitions a recluster sets migrating. */
  migrationsAfterRecluster = 40
  /** Every action applied, in order. */
  applied: Action[] = []

  constructor(spec: AeroliteClusterSpec) {
    this.cluster = { metadata: { name: 'db', namespace: 'prod', generation: 1 }, spec }
  }

  /** A new spec: the API server raises the generation. */
  setSpec(spec: AeroliteClusterSpec): void {
    this.cluster = { ...this.cluster, metadata: { ...this.cluster.metadata, generation: this.cluster.metadata.generation + 1 }, spec }
  }

  observed(): Observed {
    return {
      nowMs: this.nowMs,
      headlessServiceExists: this.service,
      configMaps: [...this.configMaps.values()],
      statefulSets: [...this.statefulSets.values()],
      pods: [...this.pods.values()],
      pvcs: [...this.pvcs.values()],
      nodes: Object.fromEntries(this.nodes),
      clusterStable: this.clusterStable,
      migrationsRemaining: this.migrationsRemaining,
    }
  }

  plan(): Plan {
    return plan(this.cluster, this.observed())
  }

  /** Plans, applies the actions as the controller would, and returns the plan. */
  step(): Plan {
    const result = this.plan()
    this.apply(result.actions)
    this.nowMs += 1000
    return result
  }

  /** Every pod ready and answering, the cluster stable, no migration. */
  settle(): void {
    for (const pod of this.pods.values()) {
      pod.ready = true
      pod.phase = 'Running'
      if (!this.nodes.has(pod.name)) {
        const configMap = this.configMaps.get(pod.rackId)
        assert.ok(configMap, `pod ${pod.name} started without its ConfigMap`)
        this.nodes.set(pod.name, { nodeId: `BB9${pod.rackId}0${pod.ordinal}`, pendingQuiesce: false, effectiveQuiesced: false, runningConfig: runningConfigOf(configMap.configText) })
      }
    }
    this.clusterStable = true
    this.migrationsRemaining = 0
  }

  apply(actions: readonly Action[]): void {
    for (const action of actions) {
      this.applied.push(action)
      this.applyOne(action)
    }
  }

  private applyOne(action: Action): void {
    switch (action.kind) {
      case 'createHeadlessService':
        this.service = true
        return
      case 'createConfigMap':
      case 'updateConfigMap':
        this.configMaps.set(action.configMap.rackId, { name: action.configMap.name, rackId: action.configMap.rackId, configText: action.configMap.configText })
        return
      case 'createStatefulSet':
      case 'recreateStatefulSetOrphan':
        this.statefulSets.set(action.template.rackId, {
          ...this.templateFields(action.template),
          volumeClaims: action.template.volumes.map((volume) => ({ name: volume.name, size: volume.size, ...(volume.storageClass === undefined ? {} : { storageClass: volume.storageClass }) })),
          replicas: action.replicas,
        })
        this.reconcilePods(action.template.rackId)
        return
      case 'updateStatefulSet': {
        const statefulSet = this.statefulSet(action.template.rackId)
        this.statefulSets.set(action.template.rackId, { ...statefulSet, ...this.templateFields(action.template), replicas: statefulSet.replicas })
        return
      }
      case 'scaleStatefulSet':
        this.statefulSet(action.rackId).replicas = action.replicas
        this.reconcilePods(action.rackId)
        return
      case 'quiesceNodes':
      case 'quiesceUndo':
        for (const name of action.podNames) this.node(name).pendingQuiesce = action.kind === 'quiesceNodes'
        return
      case 'recluster':
        this.node(action.podName)
        for (const node of this.nodes.values()) node.effectiveQuiesced = node.pendingQuiesce
        this.clusterStable = false
        this.migrationsRemaining = this.migrationsAfterRecluster
        return
      case 'waitForMigrations':
        return
      case 'deletePod': {
        const pod = this.pod(action.podName)
        this.pods.delete(pod.name)
        this.nodes.delete(pod.name)
        this.reconcilePods(pod.rackId)
        return
      }
      case 'warmRestart': {
        const pod = this.pod(action.podName)
        pod.restartCount++
        pod.ready = false
        this.nodes.delete(pod.name)
        return
      }
      case 'setConfig': {
        const running = this.node(action.podName).runningConfig
        const target = action.context === 'service' ? running.service : running.namespaces[action.namespace!]
        assert.ok(target, `set-config on a namespace the node does not have: ${action.command}`)
        for (const { key, value } of action.settings) {
          assert.ok(key in target, `set-config of a key get-config does not print: ${key}`)
          target[key] = value
        }
        return
      }
      case 'patchPvcSize': {
        const pvc = this.pvcs.get(action.pvcName)
        assert.ok(pvc, `no PVC ${action.pvcName}`)
        pvc.requestedSize = action.size
        return
      }
      case 'deleteRack':
        this.statefulSets.delete(action.rackId)
        this.configMaps.delete(action.rackId)
        return
      case 'updateStatus':
        this.cluster = { ...this.cluster, status: action.status }
        return
    }
  }

  /** The applied actions of one kind. */
  appliedOf<K extends Action['kind']>(kind: K): Array<Extract<Action, { kind: K }>> {
    return this.applied.filter((action): action is Extract<Action, { kind: K }> => action.kind === kind)
  }

  /** The storage driver finished growing every volume to its requested size. */
  growVolumes(): void {
    for (const pvc of this.pvcs.values()) pvc.capacity = pvc.requestedSize
  }

  pod(name: string): ObservedPod {
    const pod = this.pods.get(name)
    assert.ok(pod, `no pod ${name}`)
    return pod
  }

  node(name: string): ObservedNode {
    const node = this.nodes.get(name)
    assert.ok(node, `no node answers in pod ${name}`)
    return node
  }

  statefulSet(rackId: number): ObservedStatefulSet {
    const statefulSet = this.statefulSets.get(rackId)
    assert.ok(statefulSet, `no StatefulSet for rack ${rackId}`)
    return statefulSet
  }

  private templateFields(template: RackTemplate): Pick<ObservedStatefulSet, 'name' | 'rackId' | 'image' | 'configHash' | 'templateHash'> {
    return { name: template.statefulSetName, rackId: template.rackId, image: template.image, configHash: template.configHash, templateHash: template.templateHash }
  }

  /** What the StatefulSet controller does: pods below replicas exist (made from the template), pods above go; PVCs stay. */
  private reconcilePods(rackId: number): void {
    const statefulSet = this.statefulSet(rackId)
    for (const pod of [...this.pods.values()]) {
      if (pod.rackId === rackId && pod.ordinal >= statefulSet.replicas) {
        this.pods.delete(pod.name)
        this.nodes.delete(pod.name)
      }
    }
    for (let ordinal = 0; ordinal < statefulSet.replicas; ordinal++) {
      const name = `${statefulSet.name}-${ordinal}`
      if (this.pods.has(name)) continue
      this.pods.set(name, {
        name, rackId, ordinal, ready: false, phase: 'Pending', terminating: false,
        image: statefulSet.image, configHash: statefulSet.configHash, templateHash: statefulSet.templateHash, restartCount: 0,
      })
      for (const claim of statefulSet.volumeClaims) {
        const pvcName = `${claim.name}-${name}`
        if (!this.pvcs.has(pvcName)) this.pvcs.set(pvcName, { name: pvcName, rackId, volume: claim.name, requestedSize: claim.size, capacity: claim.size })
      }
    }
  }
}

/** The kinds of a plan's actions, updateStatus left out. */
export function kinds(result: Plan): string[] {
  return result.actions.filter((action) => action.kind !== 'updateStatus').map((action) => action.kind)
}

/** The actions of one kind in a plan. */
export function actionsOf<K extends Action['kind']>(result: Plan, kind: K): Array<Extract<Action, { kind: K }>> {
  return result.actions.filter((action): action is Extract<Action, { kind: K }> => action.kind === kind)
}

export function condition(result: Plan, type: ConditionType): Condition {
  const found = result.status.conditions.find((candidate) => candidate.type === type)
  assert.ok(found, `no ${type} condition`)
  return found
}

/** A world whose cluster was created and has settled. */
export function runningWorld(spec: AeroliteClusterSpec): World {
  const world = new World(spec)
  world.step()
  world.settle()
  const settled = world.step()
  assert.equal(settled.status.phase, 'Completed', JSON.stringify(settled.status.conditions))
  return world
}
