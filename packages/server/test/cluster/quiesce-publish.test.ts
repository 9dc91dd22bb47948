// What a node publishes at a recluster: its pending quiesce state, once, even when reclusters
// follow each other faster than the view shows the last publication; nothing while it is not in
// the view; and again at the next recluster after a publication failed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Membership } from '../../src/cluster/membership.ts'
import { Quiesce } from '../../src/cluster/quiesce.ts'
import { makeView, type MemberInfo, type View } from '../../src/cluster/view.ts'
import { memoryLogger } from '../storage/harness.ts'

const SELF: MemberInfo = { nodeId: 'A1', service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: {}, build: 'test' }

/** A membership whose view never changes (as if the watch lagged) and that records updateSelf calls. */
function fakeMembership(view: View, fail = (): boolean => false): { membership: Membership; published: (boolean | undefined)[] } {
  const published: (boolean | undefined)[] = []
  const membership = {
    currentView: () => view,
    updateSelf: async (info: MemberInfo) => {
      if (fail()) throw new Error('the store is unreachable')
      published.push(info.quiesced)
    },
  } as unknown as Membership
  return { membership, published }
}

test('reclusters in quick succession publish each change of the pending state, and nothing when it did not change', async () => {
  const { membership, published } = fakeMembership(makeView(2, [SELF, { ...SELF, nodeId: 'B2' }]))
  const quiesce = new Quiesce(memoryLogger().log)
  quiesce.follow(membership, 'A1')
  await quiesce.recluster()
  assert.deepEqual(published, [], 'nothing asked, nothing published')
  quiesce.pending = true
  await quiesce.recluster()
  // The view still shows the node not quiesced: what counts is what it published.
  quiesce.pending = false
  await quiesce.recluster()
  assert.deepEqual(published, [true, false])
  await quiesce.recluster()
  assert.deepEqual(published, [true, false], 'the same state is not published again')
})

test('not in the view, nothing is published; a failed publication is tried again at the next recluster', async () => {
  const absent = fakeMembership(makeView(2, [{ ...SELF, nodeId: 'B2' }]))
  const lost = new Quiesce(memoryLogger().log)
  lost.follow(absent.membership, 'A1')
  lost.pending = true
  await lost.recluster()
  assert.deepEqual(absent.published, [])

  let down = true
  const flaky = fakeMembership(makeView(2, [SELF]), () => down)
  const quiesce = new Quiesce(memoryLogger().log)
  quiesce.follow(flaky.membership, 'A1')
  quiesce.pending = true
  await quiesce.recluster()
  down = false
  await quiesce.recluster()
  assert.deepEqual(flaky.published, [true])
})
