// The StatefulSet controller's decisions, without processes: order, scale-down, adoption, claims, status.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PodObject, StatefulSetObject } from './kube-types.ts'
import { ownerReference, planStatefulSet, revisionOf } from './statefulset-plan.ts'

function statefulSet(replicas: number, options: { parallel?: boolean; image?: string } = {}): StatefulSetObject {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 4 },
    spec: {
      replicas,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      ...(options.parallel === true ? { podManagementPolicy: 'Parallel' } : {}),
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: options.image ?? 'img:1' }], volumes: [{ name: 'config', configMap: { name: 'cfg' } }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }],
    },
  }
}

function pod(set: StatefulSetObject, ordinal: number, state: { ready?: boolean; terminating?: boolean; revision?: string; owned?: boolean } = {}): PodObject {
  return {
    metadata: {
      name: `web-${ordinal}`,
      namespace: 'ns',
      uid: `pod-${ordinal}`,
      labels: { app: 'web', 'controller-revision-hash': state.revision ?? revisionOf(set) },
      ...(state.owned === false ? {} : { ownerReferences: [ownerReference(set)] }),
      ...(state.terminating === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: state.ready === false ? 'False' : 'True' }] },
  }
}

const names = (objects: readonly { metadata: { name?: string } }[]): string[] => objects.map((o) => o.metadata.name!)

test('OrderedReady creates the lowest missing ordinal only when every lower one is Ready', () => {
  const set = statefulSet(3)
  const empty = planStatefulSet(set, [], new Set())
  assert.deepEqual(names(empty.createPods), ['web-0'])
  assert.deepEqual(names(empty.createClaims), ['data-web-0'])

  assert.deepEqual(names(planStatefulSet(set, [pod(set, 0, { ready: false })], new Set()).createPods), [])
  assert.deepEqual(names(planStatefulSet(set, [pod(set, 0)], new Set(['data-web-0'])).createPods), ['web-1'])
  // A deleted pod below blocks; once it is gone, it is the one created again.
  assert.deepEqual(names(planStatefulSet(set, [pod(set, 0), pod(set, 1, { terminating: true })], new Set()).createPods), [])
  const recreate = planStatefulSet(set, [pod(set, 0), pod(set, 2)], new Set(['data-web-0', 'data-web-1', 'data-web-2']))
  assert.deepEqual([names(recreate.createPods), names(recreate.createClaims)], [['web-1'], []])
})

test('a new pod comes from the template: labels, owner, hostname, claim volumes', () => {
  const set = statefulSet(1)
  const [created] = planStatefulSet(set, [], new Set()).createPods
  assert.deepEqual(created!.metadata.labels, { app: 'web', 'controller-revision-hash': revisionOf(set), 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0' })
  assert.deepEqual(created!.metadata.ownerReferences, [ownerReference(set)])
  assert.equal(created!.spec.hostname, 'web-0')
  assert.equal(created!.spec.subdomain, 'web')
  assert.deepEqual(created!.spec.volumes, [{ name: 'config', configMap: { name: 'cfg' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }])
  assert.match(revisionOf(set), /^web-[0-9a-f]{10}$/)
  assert.notEqual(revisionOf(statefulSet(1, { image: 'img:2' })), revisionOf(set))
})

test('OrderedReady scale-down: highest first, one at a time, never while one is terminating or a wanted pod is not Ready', () => {
  const set = statefulSet(1)
  assert.deepEqual(planStatefulSet(set, [pod(set, 0), pod(set, 1), pod(set, 2)], new Set()).deletePods, ['web-2'])
  assert.deepEqual(planStatefulSet(set, [pod(set, 0), pod(set, 1), pod(set, 2, { terminating: true })], new Set()).deletePods, [])
  assert.deepEqual(planStatefulSet(set, [pod(set, 0, { ready: false }), pod(set, 1)], new Set()).deletePods, [])
  assert.deepEqual(planStatefulSet(set, [pod(set, 0), pod(set, 1), pod(set, 2, { ready: false })], new Set()).deletePods, ['web-2'], 'an unhealthy highest pod may go')
  assert.deepEqual(planStatefulSet(set, [pod(set, 0), pod(set, 1, { ready: false }), pod(set, 2)], new Set()).deletePods, [])
})

test('Parallel creates and deletes all at once', () => {
  const up = statefulSet(3, { parallel: true })
  assert.deepEqual(names(planStatefulSet(up, [], new Set()).createPods), ['web-0', 'web-1', 'web-2'])
  const down = statefulSet(1, { parallel: true })
  assert.deepEqual(planStatefulSet(down, [pod(down, 0), pod(down, 1), pod(down, 2, { terminating: true })], new Set()).deletePods, ['web-1'])
})

test('orphans with the set name and labels are adopted; pods of other sets are not', () => {
  const set = statefulSet(2)
  const orphan = pod(set, 0, { owned: false })
  const stranger = { ...pod(set, 1, { owned: false }), metadata: { ...pod(set, 1).metadata, name: 'other-1', ownerReferences: [] } }
  const plan = planStatefulSet(set, [orphan, stranger], new Set())
  assert.deepEqual(plan.adopt, ['web-0'])
  assert.deepEqual(names(plan.createPods), ['web-1'])
})

test('status: counts, revisions (OnDelete: old pods keep theirs) and observedGeneration', () => {
  const old = statefulSet(3)
  const set = statefulSet(3, { image: 'img:2' })
  set.status = { currentRevision: revisionOf(old) }
  const pods = [pod(set, 0), pod(old, 1), pod(old, 2, { ready: false })]
  assert.deepEqual(planStatefulSet(set, pods, new Set()).status, {
    observedGeneration: 4,
    replicas: 3,
    readyReplicas: 2,
    availableReplicas: 2,
    currentReplicas: 2,
    updatedReplicas: 1,
    currentRevision: revisionOf(old),
    updateRevision: revisionOf(set),
    collisionCount: 0,
  })
  const rolled = planStatefulSet(set, [pod(set, 0), pod(set, 1), pod(set, 2)], new Set()).status
  assert.deepEqual([rolled.currentRevision, rolled.currentReplicas, rolled.updatedReplicas], [revisionOf(set), 3, 3])
  const terminating = planStatefulSet(set, [pod(set, 0), pod(set, 1, { terminating: true })], new Set()).status
  assert.deepEqual([terminating.replicas, terminating.updatedReplicas], [2, 1])
})
