// A member that left (or crashed) retries nothing: its view no longer changes, so a copy report to
// a peer that does not answer was retried forever, and a drained node's process (or an embedded
// cluster's worker) never ended.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClusterMember } from '../../src/cluster/cluster-member.ts'
import type { Membership } from '../../src/cluster/membership.ts'
import { makeView, type MemberInfo, type View } from '../../src/cluster/view.ts'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { memoryLogger } from '../storage/harness.ts'

function member(nodeId: string): MemberInfo {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: {}, build: 'test' }
}

test('after leave() a member stops retrying copy reports to a peer that never answers', async () => {
  const env = manualEnv()
  const { log } = memoryLogger()
  const namespace = new Namespace(defaultNamespaceConfig('test'), env, log)
  await namespace.open(log)
  const view: View = makeView(2, [member('A1'), member('B2')])
  const membership: Membership = {
    join: async () => view,
    updateSelf: async () => {},
    currentView: () => view,
    onView: () => {},
    holdsLease: () => true,
    onLeaseChange: () => {},
    onLeaseLost: () => {},
    metadata: { entries: () => new Map(), put: async () => 0, remove: async () => 0, onChange: () => {}, seen: async () => {} },
    leave: async () => {},
    halt: () => {},
  }
  let reportsSent = 0
  const fabric = {
    request: async () => {
      reportsSent++
      throw new Error('B2 does not answer')
    },
    onMessage: () => {},
    setView: () => {},
  }
  const baseline = env.scheduler.pendingTimers
  const cluster = new ClusterMember({ env, log, namespaces: new Map([['test', namespace]]), membership, fabric, keepServingWithoutLease: false, runProxied: () => Promise.reject(new Error('unused')) })
  // The plans never come (B2 never reports), so join does not resolve; the retries are what matters.
  void cluster.join(member('A1'))
  await env.scheduler.advance(1000)
  assert.ok(reportsSent > 2, `the copy report is retried while a member (${reportsSent} sent)`)
  await cluster.leave()
  await env.scheduler.advance(1000)
  const sentAtLeave = reportsSent
  await env.scheduler.advance(1000)
  assert.equal(reportsSent, sentAtLeave, 'no copy report after leaving')
  assert.equal(env.scheduler.pendingTimers, baseline, 'no timer of the member is left')
})
