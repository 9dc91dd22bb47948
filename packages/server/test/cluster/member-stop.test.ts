// A member that left (or crashed) retries nothing: its view no longer changes, so a copy report to
// a peer that does not answer was retried forever, and a drained node's process (or an embedded
// cluster's worker) never ended.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClusterMember } from '../../src/cluster/cluster-member.ts'
import { encodeCopyReports } from '../../src/cluster/exchange.ts'
import { MessageType } from '../../src/cluster/fabric-link.ts'
import { newPartitionBits } from '../../src/cluster/partition-plan.ts'
import { makeView, type View } from '../../src/cluster/view.ts'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { memoryLogger } from '../storage/harness.ts'
import { fakeMembership, memberInfo } from './member-harness.ts'

test('after leave() a member stops retrying copy reports to a peer that never answers', async () => {
  const env = manualEnv()
  const { log } = memoryLogger()
  const namespace = new Namespace(defaultNamespaceConfig('test'), env, log)
  await namespace.open(log)
  const view: View = makeView(2, [memberInfo('A1'), memberInfo('B2')])
  const membership = fakeMembership(view)
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
  const cluster = new ClusterMember({ env, log, namespaces: new Map([['test', namespace]]), membership, fabric, keepServingWithoutLease: false, settings: { migrateThreads: 1, migrateMaxNumIncoming: 4, minClusterSize: 1 }, runProxied: () => Promise.reject(new Error('unused')) })
  // The plans never come (B2 never reports), so join does not resolve; the retries are what matters.
  void cluster.join(memberInfo('A1'))
  await env.scheduler.advance(1000)
  assert.ok(reportsSent > 2, `the copy report is retried while a member (${reportsSent} sent)`)
  await cluster.leave()
  await env.scheduler.advance(1000)
  const sentAtLeave = reportsSent
  await env.scheduler.advance(1000)
  assert.equal(reportsSent, sentAtLeave, 'no copy report after leaving')
  assert.equal(env.scheduler.pendingTimers, baseline, 'no timer of the member is left')
})

test('a copy report that arrives after stop() makes no plans (it threw in the fills before)', async () => {
  const env = manualEnv()
  const { log, lines } = memoryLogger()
  const namespace = new Namespace(defaultNamespaceConfig('test'), env, log)
  await namespace.open(log)
  const view: View = makeView(2, [memberInfo('A1'), memberInfo('B2')])
  const membership = fakeMembership(view)
  const handlers = new Map<number, (from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined) => void>()
  const fabric = {
    request: () => new Promise<Buffer>(() => {}),
    onMessage: (type: number, handler: (from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined) => void) => {
      handlers.set(type, handler)
    },
    setView: () => {},
  }
  const cluster = new ClusterMember({ env, log, namespaces: new Map([['test', namespace]]), membership, fabric, keepServingWithoutLease: false, settings: { migrateThreads: 1, migrateMaxNumIncoming: 4, minClusterSize: 1 }, runProxied: () => Promise.reject(new Error('unused')) })
  void cluster.join(memberInfo('A1'))
  await env.scheduler.advance(10)
  cluster.stop()
  const report = encodeCopyReports(new Map([['test', { full: newPartitionBits(), hasData: newPartitionBits(), dirty: newPartitionBits() }]]))
  assert.doesNotThrow(() => handlers.get(MessageType.COPY_REPORT)!('B2', report, () => {}))
  await env.scheduler.advance(1000)
  assert.equal(cluster.hasPlans, false)
  assert.ok(!lines.some((line) => line.level === 50), 'nothing failed')
})
