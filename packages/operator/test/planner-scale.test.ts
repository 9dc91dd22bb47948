// The planner creating a cluster, growing it, and shrinking it one drained batch at a time, never
// below the replication factor; status phase, conditions and observedGeneration along the way.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { actionsOf, baseSpec, condition, kinds, runningWorld, World } from './world.ts'

test('a new cluster: the headless service, the ConfigMap and the StatefulSet at full size, then Completed once every pod is ready', () => {
  const world = new World(baseSpec())
  const created = world.step()
  assert.deepEqual(kinds(created), ['createHeadlessService', 'createConfigMap', 'createStatefulSet'])
  const [statefulSet] = actionsOf(created, 'createStatefulSet')
  assert.equal(statefulSet!.replicas, 3)
  assert.equal(statefulSet!.template.statefulSetName, 'db-0')
  assert.equal(statefulSet!.template.image, 'aerolite:1.0')
  assert.deepEqual(statefulSet!.template.ports, { service: 3000, fabric: 3001, http: 9145 })
  assert.equal(actionsOf(created, 'createConfigMap')[0]!.configMap.name, 'db-0-config')
  assert.equal(created.status.phase, 'Pending')
  assert.equal(created.status.observedGeneration, undefined)
  assert.deepEqual(created.events.map((event) => event.reason), ['Creating'])

  // Pods exist but are not ready: nothing to do but wait for them (their watch events bring the next plan).
  const starting = world.step()
  assert.deepEqual(kinds(starting), [])
  assert.equal(starting.status.phase, 'Pending')
  assert.equal(starting.status.size, 3)
  assert.equal(condition(starting, 'Progressing').reason, 'Settling')
  assert.equal(condition(starting, 'Available').status, 'False')

  world.settle()
  const done = world.step()
  assert.deepEqual(kinds(done), [])
  assert.equal(done.status.phase, 'Completed')
  assert.equal(done.status.observedGeneration, 1)
  assert.equal(done.status.readyPods, 3)
  assert.deepEqual(Object.keys(done.status.pods), ['db-0-0', 'db-0-1', 'db-0-2'])
  assert.deepEqual(done.status.pods['db-0-1'], { rack: 0, image: 'aerolite:1.0', configHash: world.pod('db-0-1').configHash, ready: true, nodeId: 'BB9001', phase: 'Running' })
  assert.equal(condition(done, 'Available').status, 'True')
  assert.equal(condition(done, 'Progressing').status, 'False')
  assert.equal(condition(done, 'Degraded').status, 'False')
  // Nothing changed since: no status write either.
  assert.deepEqual(world.step().actions, [])
})

test('scale up: the StatefulSet grows at once; observedGeneration follows once the new pods are ready', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 5 }))
  const grow = world.step()
  assert.deepEqual(actionsOf(grow, 'scaleStatefulSet').map((action) => action.replicas), [5])
  assert.equal(grow.status.phase, 'InProgress')
  assert.equal(grow.status.observedGeneration, 1)
  assert.equal(condition(grow, 'Progressing').reason, 'ScalingUp')
  assert.equal(world.pods.size, 5)

  // New nodes join and migrations start.
  world.settle()
  world.migrationsRemaining = 300
  world.clusterStable = false
  const migrating = world.step()
  assert.deepEqual(kinds(migrating), ['waitForMigrations'])
  assert.equal(migrating.status.migrating, true)
  assert.equal(migrating.status.observedGeneration, 1)
  world.settle()
  const done = world.step()
  assert.equal(done.status.phase, 'Completed')
  assert.equal(done.status.observedGeneration, 2)
})

test('scale down 3 → 2: quiesce the highest ordinal, recluster, wait while migrations remain, then shrink', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 2 }))

  const quiesce = world.step()
  assert.deepEqual(kinds(quiesce), ['quiesceNodes'])
  assert.deepEqual(actionsOf(quiesce, 'quiesceNodes')[0]!.podNames, ['db-0-2'])
  assert.equal(condition(quiesce, 'Progressing').reason, 'ScalingDown')
  assert.equal(world.node('db-0-2').pendingQuiesce, true)

  const recluster = world.step()
  assert.deepEqual(kinds(recluster), ['recluster'])
  // Sent through a node that stays.
  assert.notEqual(actionsOf(recluster, 'recluster')[0]!.podName, 'db-0-2')
  assert.equal(world.node('db-0-2').effectiveQuiesced, true)

  // Partitions move off the quiesced node: the StatefulSet keeps its size until they have.
  for (const remaining of [40, 12, 1]) {
    world.migrationsRemaining = remaining
    const wait = world.step()
    assert.deepEqual(kinds(wait), ['waitForMigrations'])
    assert.equal(actionsOf(wait, 'waitForMigrations')[0]!.migrationsRemaining, remaining)
    assert.equal(world.statefulSet(0).replicas, 3)
  }
  // Migrations done but the nodes do not agree on the cluster yet: still waiting.
  world.migrationsRemaining = 0
  world.clusterStable = false
  assert.deepEqual(kinds(world.step()), ['waitForMigrations'])

  world.clusterStable = true
  const shrink = world.step()
  assert.deepEqual(kinds(shrink), ['scaleStatefulSet'])
  assert.equal(actionsOf(shrink, 'scaleStatefulSet')[0]!.replicas, 2)
  assert.deepEqual([...world.pods.keys()].sort(), ['db-0-0', 'db-0-1'])

  const done = world.step()
  assert.deepEqual(kinds(done), [])
  assert.equal(done.status.phase, 'Completed')
  assert.equal(done.status.observedGeneration, 2)
  assert.equal(done.status.size, 2)
})

test('scale down by more than maxUnavailable goes in batches, each drained before it goes', () => {
  const world = runningWorld(baseSpec({ size: 5 }))
  world.setSpec(baseSpec({ size: 2, maxUnavailable: 2 }))
  const shrinks: number[] = []
  const quiesced: string[][] = []
  for (let i = 0; i < 20 && world.statefulSet(0).replicas > 2; i++) {
    const result = world.plan()
    for (const action of actionsOf(result, 'quiesceNodes')) quiesced.push(action.podNames)
    for (const action of actionsOf(result, 'scaleStatefulSet')) {
      // Only a drained batch goes: its nodes quiesced in the current view, nothing migrating.
      for (const pod of world.pods.values()) assert.equal(world.node(pod.name).effectiveQuiesced, pod.ordinal >= action.replicas)
      assert.equal(world.migrationsRemaining, 0)
      assert.equal(world.clusterStable, true)
      shrinks.push(action.replicas)
    }
    world.apply(result.actions)
    world.nowMs += 1000
    if (kinds(result).includes('waitForMigrations')) world.settle()
  }
  assert.deepEqual(quiesced, [['db-0-3', 'db-0-4'], ['db-0-2']])
  assert.deepEqual(shrinks, [3, 2])
})

test('a scale down is not started while a pod is not ready or the cluster is migrating', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 2 }))
  world.pod('db-0-0').ready = false
  assert.deepEqual(kinds(world.step()), [])
  world.settle()
  world.migrationsRemaining = 5
  assert.deepEqual(kinds(world.step()), ['waitForMigrations'])
  world.settle()
  assert.deepEqual(kinds(world.step()), ['quiesceNodes'])
})

test('size raised back in the middle of a scale down: the quiesced node is taken back', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 2 }))
  world.step()
  world.step()
  world.settle()
  assert.equal(world.node('db-0-2').effectiveQuiesced, true)
  world.setSpec(baseSpec({ size: 3 }))
  const undo = world.step()
  assert.deepEqual(kinds(undo), ['quiesceUndo'])
  assert.deepEqual(actionsOf(undo, 'quiesceUndo')[0]!.podNames, ['db-0-2'])
  assert.deepEqual(kinds(world.step()), ['recluster'])
  assert.equal(world.node('db-0-2').effectiveQuiesced, false)
  world.settle()
  const done = world.step()
  assert.equal(done.status.phase, 'Completed')
  assert.equal(world.statefulSet(0).replicas, 3)
})

test('a recluster is not sent again while the last one may still be taking effect', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 2 }))
  world.step()
  // The controller's recluster has not reached the nodes yet.
  const recluster = world.plan()
  assert.deepEqual(kinds(recluster), ['recluster'])
  world.apply(recluster.actions.filter((action) => action.kind === 'updateStatus'))
  world.nowMs += 2000
  assert.deepEqual(kinds(world.plan()), ['waitForMigrations'])
  world.nowMs += 10_000
  assert.deepEqual(kinds(world.plan()), ['recluster'])
})

test('never below the replication factor: the scale down is refused with a Warning naming the numbers, once', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(baseSpec({ size: 1 }))
  const refused = world.step()
  assert.deepEqual(kinds(refused), [])
  assert.equal(refused.status.phase, 'Error')
  assert.equal(refused.status.observedGeneration, 1)
  const degraded = condition(refused, 'Degraded')
  assert.equal(degraded.status, 'True')
  assert.equal(degraded.reason, 'BelowReplicationFactor')
  assert.match(degraded.message, /spec\.size 1 is below replication-factor 2 of namespace test/)
  assert.deepEqual(refused.events.map((event) => [event.type, event.reason]), [['Warning', 'BelowReplicationFactor']])
  assert.match(refused.events[0]!.message, /1 .* 2/)
  assert.equal(world.statefulSet(0).replicas, 3)

  const again = world.step()
  assert.deepEqual(again.actions, [])
  assert.deepEqual(again.events, [])

  world.setSpec(baseSpec({ size: 2 }))
  const fixed = world.step()
  assert.deepEqual(kinds(fixed), ['quiesceNodes'])
  assert.equal(condition(fixed, 'Degraded').status, 'False')
})

test('a new cluster below its replication factor is refused too', () => {
  const world = new World(baseSpec({ size: 1 }))
  const refused = world.step()
  assert.deepEqual(kinds(refused), [])
  assert.equal(refused.status.phase, 'Error')
})

test('conditions keep their lastTransitionTime while their status stays', () => {
  const world = runningWorld(baseSpec())
  const reconciled = condition(world.plan(), 'Progressing')
  world.setSpec(baseSpec({ size: 2 }))
  const first = world.step()
  const started = condition(first, 'Progressing')
  assert.equal(started.status, 'True')
  assert.notEqual(started.lastTransitionTime, reconciled.lastTransitionTime)
  const next = condition(world.step(), 'Progressing')
  assert.equal(next.status, 'True')
  assert.equal(next.lastTransitionTime, started.lastTransitionTime)
  for (const item of world.plan().status.conditions) assert.equal(item.observedGeneration, 2)
})
