// The store and membership contracts on the in-process store, in simulated time (a manual Env), and
// what only simulated time can pin down exactly: fencing at the deadline to the millisecond, lease
// expiry at the store, the whole store going unreachable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InProcessStore } from '../../src/cluster/in-process-store.ts'
import { StoreMembership, leaseMarginMs, leaseTtlSeconds } from '../../src/cluster/membership-client.ts'
import { StoreUnavailableError, type StoreEvent } from '../../src/cluster/membership-store.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { limits } from '../../src/limits.ts'
import { Cluster, FENCE_AFTER_MS, HEARTBEAT, defineMembershipContract } from './membership-contract.ts'
import { defineStoreContract } from './store-contract.ts'
import { MemoryLog, memberInfo, untilWith, type Harness } from './harness.ts'

function inProcessHarness(seed = 1): Harness & { store: InProcessStore } {
  const env = manualEnv({ seed })
  const store = new InProcessStore(env)
  let names = 0
  return {
    env,
    store,
    openStore: async () => store,
    pass: (ms) => env.scheduler.advance(ms),
    until: (what, check, withinMs) => untilWith((ms) => env.scheduler.advance(ms), env.clock, what, check, withinMs),
    uniqueName: () => `cluster${++names}`,
    close: () => store.close(),
  }
}

defineStoreContract('in-process store', async () => inProcessHarness())
defineMembershipContract('in-process store', async () => inProcessHarness())

test('in-process: a lease expires exactly its TTL after the last keep-alive the store received', async () => {
  const h = inProcessHarness()
  const lease = await h.store.grantLease(2)
  await h.store.put('/k', 'v', lease.id)
  await h.pass(1500)
  assert.equal(await h.store.keepAliveOnce(lease.id), 2)
  await h.pass(1999)
  assert.equal((await h.store.range('/')).kvs.length, 1)
  await h.pass(1)
  assert.equal((await h.store.range('/')).kvs.length, 0)
  assert.equal(await h.store.keepAliveOnce(lease.id), 'gone')
})

test('in-process: an unavailable store fails every call and breaks every watch as unreachable, and works again once available', async () => {
  const h = inProcessHarness()
  const events: StoreEvent[] = []
  let watchError: Error | undefined
  h.store.watch('/', 0, { onEvents: (e) => events.push(...e), onError: (e) => { watchError = e } })
  const lease = await h.store.grantLease(5)
  h.store.setAvailable(false)
  await h.pass(0)
  assert.ok(watchError instanceof StoreUnavailableError)
  for (const call of [() => h.store.grantLease(2), () => h.store.keepAliveOnce(lease.id), () => h.store.revokeLease(lease.id), () => h.store.put('/a', '1'), () => h.store.delete('/a'), () => h.store.range('/'), () => h.store.compact(1)]) {
    await assert.rejects(call(), StoreUnavailableError)
  }
  let laterError: Error | undefined
  h.store.watch('/', 0, { onEvents: () => {}, onError: (e) => { laterError = e } })
  await h.pass(0)
  assert.ok(laterError instanceof StoreUnavailableError)
  h.store.setAvailable(true)
  assert.equal(await h.store.keepAliveOnce(lease.id), 5)
  await h.store.put('/a', '1')
  assert.equal(events.length, 0, 'nothing reaches a broken watch')
})

test('in-process: holdsLease() turns false at the deadline to the millisecond: last renewal sent + TTL - margin', async () => {
  const h = inProcessHarness()
  const cluster = new Cluster(h)
  const a = await cluster.join(1)
  await h.pass(1000)
  a.store.setCut(true)
  const lastRenewal = a.store.lastRenewalSentAtMs!
  assert.equal(lastRenewal, 1000, 'renewals every 200 ms from the join at 0')
  const deadline = lastRenewal + FENCE_AFTER_MS
  await h.pass(deadline - 1 - h.env.clock.monotonicMs())
  assert.equal(a.membership.holdsLease(), true)
  await h.pass(1)
  assert.equal(a.membership.holdsLease(), false)
  assert.deepEqual(a.leaseChanges, [{ holds: true, atMs: 0 }, { holds: false, atMs: deadline }])
  assert.ok(a.log.matching(/cannot renew the lease/).length === 1, 'the failing renewals are reported once')
  await cluster.leaveAll()
})

test('in-process: join waits out a store that is down with capped, jittered back-off, then joins', async () => {
  const h = inProcessHarness(7)
  h.store.setAvailable(false)
  const log = new MemoryLog()
  const membership = new StoreMembership({ clusterName: 'c', store: h.store, env: h.env, log, heartbeat: HEARTBEAT })
  let joinedAtMs: number | undefined
  void membership.join(memberInfo(1)).then(() => {
    joinedAtMs = h.env.clock.monotonicMs()
  })
  await h.pass(30_000)
  assert.equal(joinedAtMs, undefined)
  const waits = log.matching(/^waiting for the in-process membership store: /).map((l) => (l.details as { retryInMs: number }).retryInMs)
  assert.ok(waits.length >= 8 && waits.length <= 20, `${waits.length} attempts in 30 s`)
  for (const [i, ms] of waits.entries()) {
    const ceiling = Math.min(limits.storeRetryCapMs, limits.storeRetryBaseMs * 2 ** i)
    assert.ok(ms >= ceiling / 2 && ms <= ceiling, `attempt ${i + 1} waits ${ms} ms, within [${ceiling / 2}, ${ceiling}]`)
  }
  assert.ok(new Set(waits.slice(-4)).size > 1, 'jitter: capped waits differ')
  h.store.setAvailable(true)
  const backAtMs = h.env.clock.monotonicMs()
  await untilWith((ms) => h.pass(ms), h.env.clock, 'join resolves', () => joinedAtMs !== undefined, limits.storeRetryCapMs + 100)
  assert.ok(joinedAtMs! - backAtMs <= limits.storeRetryCapMs)
  assert.equal(membership.holdsLease(), true)
  await membership.leave()
})

test('in-process: the same seed gives the same views at the same revisions', async () => {
  const run = async (): Promise<string[]> => {
    const h = inProcessHarness(3)
    const cluster = new Cluster(h)
    const a = await cluster.join(1)
    await cluster.join(2)
    const c = await cluster.join(3)
    await h.pass(500)
    c.store.setCut(true)
    await h.pass(5000)
    c.store.setCut(false)
    await h.pass(2000)
    await cluster.leaveAll()
    return a.views.map((v) => `${v.revision}:${v.clusterKey}`)
  }
  const first = await run()
  assert.ok(first.length >= 5, first.join(' '))
  assert.deepEqual(await run(), first)
})

test('the lease asked is interval × timeout in whole seconds; the margin is an interval or a tenth of the TTL, at most half of it', () => {
  assert.equal(leaseTtlSeconds({ intervalMs: 150, timeoutCount: 10 }), 2)
  assert.equal(leaseTtlSeconds({ intervalMs: 1000, timeoutCount: 3 }), 3)
  assert.equal(leaseTtlSeconds({ intervalMs: 333, timeoutCount: 10 }), 4)
  assert.equal(leaseMarginMs(2, 150), 200)
  assert.equal(leaseMarginMs(30, 150), 3000)
  assert.equal(leaseMarginMs(5, 1000), 1000)
  assert.equal(leaseMarginMs(2, 1500), 1000)
})

test('a cluster name that cannot name keys, and heartbeat settings that make no lease, are refused', () => {
  const h = inProcessHarness()
  const make = (clusterName: string, heartbeat = HEARTBEAT) => new StoreMembership({ clusterName, store: h.store, env: h.env, log: new MemoryLog(), heartbeat })
  assert.throws(() => make(''), /cluster name "" cannot name membership keys/)
  assert.throws(() => make('a/b'), /without "\/"/)
  assert.throws(() => make('c', { intervalMs: 0, timeoutCount: 10 }), /heartbeat interval 0 ms/)
  assert.throws(() => make('c', { intervalMs: 100, timeoutCount: 1 }), /timeout a whole number of at least 2/)
})

test('in-process: a listener that throws is logged and does not stop the views', async () => {
  const h = inProcessHarness()
  const cluster = new Cluster(h)
  const a = await cluster.node(1)
  a.membership.onView(() => {
    throw new Error('listener bug')
  })
  await a.membership.join(memberInfo(1))
  await cluster.join(2)
  await cluster.converge([a], [1, 2])
  assert.equal(a.views.length, 2)
  assert.equal(a.log.lines.filter((l) => l.level === 'error' && l.message === 'a membership listener failed').length, 2)
  await cluster.leaveAll()
})
