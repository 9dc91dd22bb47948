// Volume growth without recreating pods: PVCs patched first, then the StatefulSet recreated with
// orphan propagation so later pods get the new size; shrinks and storage-class changes refused.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AeroliteClusterSpec } from '../src/index.ts'
import { actionsOf, baseSpec, condition, kinds, runningWorld } from './world.ts'

const withVolume = (size: string, storageClass?: string): AeroliteClusterSpec =>
  baseSpec({ storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size, ...(storageClass === undefined ? {} : { storageClass }) }] } })

test('volume growth: every PVC patched, then the StatefulSet recreated (orphan) with the new claim size; no pod restarts', () => {
  const world = runningWorld(withVolume('10Gi'))
  // A PVC left by an earlier scale down is grown too: a scale up would reuse it.
  world.pvcs.set('data-db-0-3', { name: 'data-db-0-3', rackId: 0, volume: 'data', requestedSize: '10Gi', capacity: '10Gi' })
  const templateHash = world.statefulSet(0).templateHash
  world.setSpec(withVolume('20Gi'))

  const patch = world.step()
  assert.deepEqual(kinds(patch), ['patchPvcSize', 'patchPvcSize', 'patchPvcSize', 'patchPvcSize'])
  assert.deepEqual(actionsOf(patch, 'patchPvcSize').map((action) => [action.pvcName, action.size]).sort(), [
    ['data-db-0-0', '20Gi'], ['data-db-0-1', '20Gi'], ['data-db-0-2', '20Gi'], ['data-db-0-3', '20Gi'],
  ])
  assert.equal(condition(patch, 'Progressing').reason, 'ResizingVolumes')

  const recreate = world.step()
  assert.deepEqual(kinds(recreate), ['recreateStatefulSetOrphan'])
  const [action] = actionsOf(recreate, 'recreateStatefulSetOrphan')
  assert.equal(action!.replicas, 3)
  assert.deepEqual(action!.template.volumes, [{ name: 'data', path: '/var/lib/aerolite', size: '20Gi' }])
  // Volume sizes are not part of the pod template: the pods it adopts are up to date.
  assert.equal(action!.template.templateHash, templateHash)
  assert.deepEqual(world.statefulSet(0).volumeClaims, [{ name: 'data', size: '20Gi' }])

  // The driver has not grown the filesystems yet.
  const resizing = world.step()
  assert.deepEqual(kinds(resizing), [])
  assert.equal(condition(resizing, 'Progressing').reason, 'ResizingVolumes')
  assert.notEqual(resizing.status.phase, 'Completed')
  world.growVolumes()
  const done = world.step()
  assert.equal(done.status.phase, 'Completed')
  assert.equal(done.status.observedGeneration, 2)
  assert.ok(!world.applied.some((applied) => ['deletePod', 'warmRestart', 'updateStatefulSet', 'quiesceNodes'].includes(applied.kind)))
})

test('a volume growth given in other units compares by bytes: 10Gi to 10240Mi changes nothing', () => {
  const world = runningWorld(withVolume('10Gi'))
  world.setSpec(withVolume('10240Mi'))
  assert.deepEqual(kinds(world.step()), [])
})

test('a smaller volume is refused with a Degraded condition and a Warning event; nothing is touched', () => {
  const world = runningWorld(withVolume('10Gi'))
  world.setSpec(withVolume('5Gi'))
  const refused = world.step()
  assert.deepEqual(kinds(refused), [])
  assert.equal(refused.status.phase, 'Error')
  const degraded = condition(refused, 'Degraded')
  assert.equal(degraded.reason, 'VolumeShrinkRefused')
  assert.match(degraded.message, /volume data: 5Gi is smaller than its claims' 10Gi; volumes only grow/)
  assert.deepEqual(refused.events.map((event) => [event.type, event.reason]), [['Warning', 'VolumeShrinkRefused']])
  assert.deepEqual(world.statefulSet(0).volumeClaims, [{ name: 'data', size: '10Gi' }])
  assert.ok([...world.pvcs.values()].every((pvc) => pvc.requestedSize === '10Gi'))
})

test('another storage class for a volume is refused', () => {
  const world = runningWorld(withVolume('10Gi', 'standard'))
  world.setSpec(withVolume('20Gi', 'fast'))
  const refused = world.step()
  assert.deepEqual(kinds(refused), [])
  assert.equal(condition(refused, 'Degraded').reason, 'VolumeChangeRefused')
})
