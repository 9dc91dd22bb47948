// Restart operations (once per id), paused clusters, and racks taken out of the spec.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AeroliteClusterSpec, OperationSpec } from '../src/index.ts'
import { actionsOf, baseSpec, condition, kinds, runningWorld, type World } from './world.ts'

/** Plans until nothing is left to do, settling the cluster whenever the planner waits; returns the restarted pods in order. */
function runUntilIdle(world: World): string[] {
  const restarted: string[] = []
  for (let i = 0; i < 200; i++) {
    const result = world.step()
    restarted.push(...[...actionsOf(result, 'deletePod'), ...actionsOf(result, 'warmRestart')].map((action) => `${action.kind} ${action.podName}`))
    if (result.status.phase === 'Completed' && kinds(result).length === 0) return restarted
    if (kinds(result).length === 0 || kinds(result).includes('waitForMigrations')) world.settle()
  }
  assert.fail('the cluster did not settle within 200 plans')
}

const withOperations = (operations: OperationSpec[], overrides: Partial<AeroliteClusterSpec> = {}): AeroliteClusterSpec => baseSpec({ operations, ...overrides })

test('a warm restart operation restarts every pod once, drained one at a time, and is recorded as completed', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(withOperations([{ id: 'kernel-2025-03', kind: 'WarmRestart' }]))
  const start = world.step()
  assert.deepEqual(kinds(start), ['quiesceNodes'])
  assert.deepEqual(start.events.map((event) => event.reason), ['OperationStarted', 'Operation'])
  assert.deepEqual(start.status.runningOperation, { id: 'kernel-2025-03', kind: 'WarmRestart', podNames: ['db-0-0', 'db-0-1', 'db-0-2'], restartedPodNames: [] })
  assert.deepEqual(runUntilIdle(world), ['warmRestart db-0-2', 'warmRestart db-0-1', 'warmRestart db-0-0'])
  const done = world.plan()
  assert.deepEqual(done.status.completedOperations, ['kernel-2025-03'])
  assert.equal(done.status.runningOperation, undefined)
  assert.ok(world.applied.some((action) => action.kind === 'updateStatus' && action.status.completedOperations.includes('kernel-2025-03')))
  assert.deepEqual([...world.pods.values()].map((pod) => pod.restartCount), [1, 1, 1])

  // Planned again and again, it does not run twice.
  for (let i = 0; i < 5; i++) assert.deepEqual(kinds(world.step()), [])
})

test('a pod restart operation of named pods deletes only those; an operation added later runs once as well', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(withOperations([{ id: 'one', kind: 'WarmRestart', podNames: ['db-0-0'] }]))
  assert.deepEqual(runUntilIdle(world), ['warmRestart db-0-0'])
  world.setSpec(withOperations([{ id: 'one', kind: 'WarmRestart', podNames: ['db-0-0'] }, { id: 'two', kind: 'PodRestart', podNames: ['db-0-1', 'db-0-9'] }]))
  const start = world.plan()
  assert.deepEqual(start.events.filter((event) => event.type === 'Warning').map((event) => event.message), ['operation two: no pod db-0-9; restarting the others'])
  assert.deepEqual(runUntilIdle(world), ['deletePod db-0-1'])
  assert.deepEqual(world.plan().status.completedOperations, ['one', 'two'])
  // An id taken out of the spec leaves completedOperations.
  world.setSpec(withOperations([{ id: 'two', kind: 'PodRestart', podNames: ['db-0-1'] }]))
  const pruned = world.step()
  assert.deepEqual(pruned.status.completedOperations, ['two'])
  assert.deepEqual(kinds(pruned), [])
})

test('an operation waits for a rolling restart to finish first', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(withOperations([{ id: 'r', kind: 'WarmRestart', podNames: ['db-0-2'] }], { image: 'aerolite:1.1' }))
  assert.deepEqual(runUntilIdle(world), ['deletePod db-0-2', 'deletePod db-0-1', 'deletePod db-0-0', 'warmRestart db-0-2'])
})

test('an operation whose restarts failed is not recorded as running them: the status is written only after the actions', () => {
  const world = runningWorld(baseSpec())
  world.setSpec(withOperations([{ id: 'r', kind: 'PodRestart', podNames: ['db-0-1'] }]))
  world.step()
  world.step()
  world.settle()
  const restart = world.plan()
  assert.deepEqual(kinds(restart), ['deletePod'])
  assert.equal(restart.actions.at(-1)!.kind, 'updateStatus')
  assert.deepEqual(restart.status.runningOperation?.restartedPodNames, ['db-0-1'])
  // The controller failed to delete the pod, so the status was not written: the next plan tries again.
  assert.deepEqual(kinds(world.plan()), ['deletePod'])
})

test('paused: no action but the status, whatever the spec asks', () => {
  const world = runningWorld(baseSpec())
  const appliedBefore = world.applied.length
  world.setSpec(baseSpec({ size: 5, image: 'aerolite:2.0', paused: true, operations: [{ id: 'x', kind: 'PodRestart' }] }))
  const paused = world.step()
  assert.deepEqual(paused.actions.map((action) => action.kind), ['updateStatus'])
  assert.equal(paused.status.phase, 'Paused')
  assert.equal(condition(paused, 'Progressing').reason, 'Paused')
  assert.equal(paused.status.observedGeneration, 1)
  world.pod('db-0-1').ready = false
  const stillPaused = world.step()
  assert.deepEqual(kinds(stillPaused), [])
  assert.equal(stillPaused.status.readyPods, 2)
  assert.deepEqual(world.applied.slice(appliedBefore).map((action) => action.kind), ['updateStatus', 'updateStatus'])
  world.settle()
  world.setSpec(baseSpec({ size: 5, image: 'aerolite:2.0' }))
  // Unpaused: the template first, so the pods the scale up makes start from the new image.
  assert.deepEqual(kinds(world.step()), ['updateStatefulSet'])
  assert.deepEqual(kinds(world.step()), ['scaleStatefulSet'])
  assert.deepEqual([world.pod('db-0-3').image, world.pod('db-0-4').image], ['aerolite:2.0', 'aerolite:2.0'])
})

test('a rack taken out of the spec is drained, scaled to zero one node at a time, then deleted', () => {
  const racks = [{ id: 1 }, { id: 2 }]
  const world = runningWorld(baseSpec({ size: 4, racks }))
  world.setSpec(baseSpec({ size: 4, racks: [{ id: 1 }] }))
  // The remaining rack grows first, then the removed one shrinks.
  assert.deepEqual(actionsOf(world.step(), 'scaleStatefulSet').map((action) => [action.statefulSetName, action.replicas]), [['db-1', 4]])
  runUntilIdle(world)
  assert.deepEqual(world.appliedOf('scaleStatefulSet').map((action) => `${action.statefulSetName}=${action.replicas}`), ['db-1=4', 'db-2=1', 'db-2=0'])
  assert.deepEqual(world.appliedOf('quiesceNodes').map((action) => action.podNames), [['db-2-1'], ['db-2-0']])
  assert.deepEqual(world.appliedOf('deleteRack').map((action) => [action.statefulSetName, action.configMapName]), [['db-2', 'db-2-config']])
  assert.deepEqual([...world.statefulSets.keys()], [1])
  assert.equal(world.plan().status.size, 4)
})
