// Rolling restarts: an image upgrade or a config change set-config cannot apply goes one drained
// batch at a time (one pod, or up to maxUnavailable of one rack), each only from a settled
// cluster; racks in the spec's order. Changes set-config can apply never restart anything.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AeroliteClusterSpec, RackSpec } from '../src/index.ts'
import { actionsOf, baseSpec, condition, kinds, runningWorld, type World } from './world.ts'

/**
 * Plans until the cluster is Completed; pods become ready and migrations end one plan after the
 * planner starts waiting for them. Returns the restarted pods, batch by batch, checking that each
 * batch went from a settled cluster with its nodes drained.
 */
function rollUntilDone(world: World): string[][] {
  const batches: string[][] = []
  for (let i = 0; i < 200; i++) {
    const result = world.plan()
    if (result.status.phase === 'Completed') return batches
    const restarts = [...actionsOf(result, 'deletePod'), ...actionsOf(result, 'warmRestart')].map((action) => action.podName)
    if (restarts.length > 0) {
      for (const pod of world.pods.values()) assert.equal(pod.ready, true, `${pod.name} was not ready when ${restarts.join(', ')} restarted`)
      for (const name of restarts) assert.equal(world.node(name).effectiveQuiesced, true, `${name} restarted before it was drained`)
      assert.equal(world.clusterStable && world.migrationsRemaining === 0, true)
      batches.push(restarts)
    }
    world.apply(result.actions)
    world.nowMs += 1000
    if (kinds(result).length === 0 || kinds(result).includes('waitForMigrations')) world.settle()
  }
  assert.fail('the cluster did not complete within 200 plans')
}

test('image upgrade: the template first, then one pod at a time from the highest ordinal, each drained first', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ image: 'aerolite:1.1' }))
  const update = world.step()
  assert.deepEqual(kinds(update), ['updateStatefulSet'])
  assert.equal(actionsOf(update, 'updateStatefulSet')[0]!.template.image, 'aerolite:1.1')
  // OnDelete: updating the template restarted nothing.
  assert.deepEqual([...world.pods.values()].map((pod) => pod.image), ['aerolite:1.0', 'aerolite:1.0', 'aerolite:1.0'])

  assert.deepEqual(actionsOf(world.step(), 'quiesceNodes')[0]!.podNames, ['db-0-2'])
  assert.deepEqual(kinds(world.step()), ['recluster'])
  world.migrationsRemaining = 7
  assert.deepEqual(kinds(world.step()), ['waitForMigrations'])
  world.settle()
  const restart = world.step()
  assert.deepEqual(kinds(restart), ['deletePod'])
  assert.equal(actionsOf(restart, 'deletePod')[0]!.podName, 'db-0-2')
  assert.equal(condition(restart, 'Progressing').reason, 'RollingRestart')
  assert.match(restart.events[0]!.message, /db-0-2 \(image aerolite:1\.0 to aerolite:1\.1\)/)
  assert.equal(world.pod('db-0-2').image, 'aerolite:1.1')

  const batches = rollUntilDone(world)
  assert.deepEqual(batches, [['db-0-1'], ['db-0-0']])
  const done = world.plan()
  assert.equal(done.status.observedGeneration, 2)
  assert.deepEqual(Object.values(done.status.pods).map((pod) => pod.image), ['aerolite:1.1', 'aerolite:1.1', 'aerolite:1.1'])
})

test('a rolling restart waits while a pod is not ready or the cluster is not stable', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ image: 'aerolite:1.1' }))
  world.step()
  world.pod('db-0-0').ready = false
  assert.deepEqual(kinds(world.step()), [])
  world.settle()
  world.clusterStable = false
  const unstable = world.step()
  assert.deepEqual(kinds(unstable), ['waitForMigrations'])
  assert.match(condition(unstable, 'Progressing').message, /waiting for the cluster to be stable/)
  world.settle()
  assert.deepEqual(kinds(world.step()), ['quiesceNodes'])
  world.step()
  world.settle()
  // Drained, but another pod went down meanwhile: the restart waits for it.
  world.pod('db-0-0').ready = false
  assert.deepEqual(kinds(world.step()), [])
  world.settle()
  assert.deepEqual(kinds(world.step()), ['deletePod'])
})

function rackSpec(racks: RackSpec[], overrides: Partial<AeroliteClusterSpec> = {}): AeroliteClusterSpec {
  return baseSpec({ size: 4, racks, ...overrides })
}

test('several racks: one rack at a time in the spec order; with racks ≥ replication factor a batch may be maxUnavailable of one rack', () => {
  const racks = [{ id: 2, zone: 'b' }, { id: 1, zone: 'a' }]
  const world = runningWorld(rackSpec(racks))
  assert.deepEqual([...world.statefulSets.values()].map((set) => [set.name, set.replicas]), [['db-2', 2], ['db-1', 2]])
  world.setSpec(rackSpec(racks, { image: 'aerolite:1.1', maxUnavailable: 2 }))
  assert.deepEqual(actionsOf(world.step(), 'updateStatefulSet').map((action) => action.template.rackId), [2, 1])
  assert.deepEqual(rollUntilDone(world), [['db-2-1', 'db-2-0'], ['db-1-1', 'db-1-0']])
})

test('several racks, one pod at a time: rack 1 is done before rack 2 starts', () => {
  const racks = [{ id: 1 }, { id: 2 }]
  const world = runningWorld(rackSpec(racks))
  world.setSpec(rackSpec(racks, { image: 'aerolite:1.1' }))
  assert.deepEqual(rollUntilDone(world), [['db-1-1'], ['db-1-0'], ['db-2-1'], ['db-2-0']])
})

test('fewer racks than the replication factor: a batch keeps a copy of every partition up (replication factor - 1 nodes)', () => {
  const spec = (image: string): AeroliteClusterSpec => baseSpec({ size: 4, image, maxUnavailable: '75%', config: {
    namespaces: [{ name: 'test', replicationFactor: 3, storage: { type: 'memory', dataSize: '1G' } }],
  } })
  const world = runningWorld(spec('aerolite:1.0'))
  world.setSpec(spec('aerolite:1.1'))
  assert.deepEqual(rollUntilDone(world), [['db-0-3', 'db-0-2'], ['db-0-1', 'db-0-0']])
})

test('a config change set-config can apply: set-config on every node, then the ConfigMap; no restart', () => {
  const spec = (ttl: string): AeroliteClusterSpec => baseSpec({ config: {
    service: { 'proto-fd-max': 15000 },
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' }, extra: { 'default-ttl': ttl, 'nsup-period': 120 } }],
  } })
  const world = runningWorld(spec('30d'))
  const configMapBefore = world.configMaps.get(0)!.configText
  world.setSpec(spec('1h'))
  const set = world.step()
  assert.deepEqual(kinds(set), ['setConfig', 'setConfig', 'setConfig'])
  assert.deepEqual(actionsOf(set, 'setConfig').map((action) => [action.podName, action.command]), [
    ['db-0-0', 'set-config:context=namespace;id=test;default-ttl=3600'],
    ['db-0-1', 'set-config:context=namespace;id=test;default-ttl=3600'],
    ['db-0-2', 'set-config:context=namespace;id=test;default-ttl=3600'],
  ])
  assert.equal(condition(set, 'Progressing').reason, 'UpdatingConfig')
  // The ConfigMap is written only once every node runs the new value.
  assert.equal(world.configMaps.get(0)!.configText, configMapBefore)
  const write = world.step()
  assert.deepEqual(kinds(write), ['updateConfigMap'])
  assert.match(world.configMaps.get(0)!.configText, /default-ttl 1h/)
  const done = world.step()
  assert.equal(done.status.phase, 'Completed')
  assert.equal(done.status.observedGeneration, 2)
  assert.ok(!world.applied.some((action) => ['deletePod', 'updateStatefulSet', 'quiesceNodes'].includes(action.kind)))
})

test('set-config of keys that depend on each other goes in one command', () => {
  const spec = (extra: Record<string, string | number>): AeroliteClusterSpec => baseSpec({ config: {
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' }, extra }],
  } })
  const world = runningWorld(spec({ 'nsup-period': 0 }))
  world.setSpec(spec({ 'nsup-period': 60, 'default-ttl': '1d' }))
  const set = world.plan()
  assert.deepEqual(actionsOf(set, 'setConfig')[0]!.command, 'set-config:context=namespace;id=test;default-ttl=86400;nsup-period=60')
})

test('a node whose value was changed by hand gets the spec value back with set-config', () => {
  const world = runningWorld(baseSpec())
  world.node('db-0-1').runningConfig.service['proto-fd-max'] = '100'
  const set = world.step()
  assert.deepEqual(actionsOf(set, 'setConfig').map((action) => [action.podName, action.command]), [['db-0-1', 'set-config:context=service;proto-fd-max=15000']])
  assert.equal(world.step().status.phase, 'Completed')
})

test('a config change set-config cannot apply: the ConfigMap and the template at once, then a rolling restart', () => {
  const spec = (interval: number): AeroliteClusterSpec => baseSpec({ config: {
    network: { heartbeat: { interval } },
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' } }],
  } })
  const world = runningWorld(spec(150))
  const hashBefore = world.statefulSet(0).configHash
  world.setSpec(spec(300))
  const update = world.step()
  assert.deepEqual(kinds(update), ['updateConfigMap', 'updateStatefulSet'])
  assert.notEqual(actionsOf(update, 'updateStatefulSet')[0]!.template.configHash, hashBefore)
  assert.match(world.configMaps.get(0)!.configText, /interval 300/)
  assert.deepEqual(rollUntilDone(world), [['db-0-2'], ['db-0-1'], ['db-0-0']])
  assert.ok(!world.applied.some((action) => action.kind === 'setConfig'))
})

test('a pod template change (resources) rolls the pods too', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ podSpec: { resources: { requests: { memory: '4Gi' } } } }))
  assert.deepEqual(kinds(world.step()), ['updateStatefulSet'])
  const batches = rollUntilDone(world)
  assert.equal(batches.length, 3)
})
