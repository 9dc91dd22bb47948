// The store and membership contracts against a real etcd (a child process, real time), and what
// only a real etcd shows: a node whose etcd stops answering (paused, or killed) stops holding its
// lease within the TTL of its last renewal, and holds one again, in the view, once etcd is back.
// Without etcd on PATH this file fails, naming the package to install.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { EtcdStore } from '../../src/cluster/etcd-store.ts'
import type { MembershipStore } from '../../src/cluster/membership-store.ts'
import { realClock, realRandom, realScheduler } from '../../src/env/real-env.ts'
import { Cluster, TTL_MS, defineMembershipContract, type TestNode } from './membership-contract.ts'
import { defineStoreContract } from './store-contract.ts'
import { ETCD_MISSING, EtcdProcess, etcdInstalled, untilReal } from './etcd-process.ts'
import { untilWith, type Harness } from './harness.ts'

let etcd: EtcdProcess | undefined
let names = 0

before(async () => {
  etcd = await EtcdProcess.start()
})

after(async () => {
  await etcd?.stop()
})

test('etcd is installed', () => {
  assert.ok(etcdInstalled(), ETCD_MISSING)
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function etcdHarness(): Promise<Harness> {
  const stores: MembershipStore[] = []
  const env = { clock: realClock, scheduler: realScheduler, random: realRandom }
  return {
    env,
    openStore: async () => {
      const store = await EtcdStore.open({ endpoints: [{ host: '127.0.0.1', port: etcd!.clientPort }], clock: realClock })
      stores.push(store)
      return store
    },
    pass: sleep,
    until: (what, check, withinMs) => untilWith(sleep, realClock, what, check, withinMs),
    uniqueName: () => `etcd-test-${process.pid}-${++names}`,
    close: async () => {
      for (const store of stores) await store.close()
    },
  }
}

defineStoreContract('etcd', etcdHarness)
defineMembershipContract('etcd', etcdHarness)

/** From the last renewal etcd answered to holdsLease() false: at most the TTL (plus 1 s of slack). */
async function measureFencing(t: { diagnostic(message: string): void }, node: TestNode, what: string): Promise<void> {
  const stoppedAtMs = realClock.monotonicMs()
  await untilReal(`${what}: the node is told it no longer holds its lease`, () => node.leaseChanges.at(-1)?.holds === false, TTL_MS + 1500)
  assert.equal(node.membership.holdsLease(), false)
  const fencedAtMs = node.leaseChanges.at(-1)!.atMs
  const lastRenewalMs = node.store.lastRenewalSentAtMs!
  const afterRenewal = fencedAtMs - lastRenewalMs
  t.diagnostic(`${what}: holdsLease() false ${fencedAtMs - stoppedAtMs} ms after etcd stopped, ${afterRenewal} ms after the last successful renewal was sent (TTL ${TTL_MS} ms)`)
  assert.equal(node.leaseChanges.at(-1)!.holds, false)
  assert.ok(afterRenewal <= TTL_MS + 1000, `fenced ${afterRenewal} ms after the last renewal: more than TTL + 1 s`)
}

async function joinTwo(h: Harness): Promise<{ cluster: Cluster; a: TestNode; b: TestNode }> {
  const cluster = new Cluster(h)
  const a = await cluster.join(1)
  const b = await cluster.join(2)
  await cluster.converge([a, b], [1, 2])
  return { cluster, a, b }
}

test('etcd paused (SIGSTOP): holdsLease() turns false within the TTL of the last renewal; after SIGCONT the nodes hold leases again and are in the view', async (t) => {
  const h = await etcdHarness()
  const { cluster, a, b } = await joinTwo(h)
  try {
    await sleep(500)
    etcd!.pause()
    try {
      await measureFencing(t, a, 'SIGSTOP')
    } finally {
      etcd!.resume()
    }
    await untilReal('both hold leases again', () => a.membership.holdsLease() && b.membership.holdsLease(), 10_000)
    await cluster.converge([a, b], [1, 2], 10_000)
  } finally {
    await cluster.leaveAll()
    await h.close()
  }
})

test('etcd killed (SIGKILL) and started again on its data dir: the nodes stop holding leases within the TTL, then hold them again and are in the view', async (t) => {
  const h = await etcdHarness()
  const { cluster, a, b } = await joinTwo(h)
  try {
    await sleep(500)
    await etcd!.kill()
    await measureFencing(t, a, 'SIGKILL')
    await sleep(500)
    const backAtMs = realClock.monotonicMs()
    await etcd!.run()
    await untilReal('both hold leases again', () => a.membership.holdsLease() && b.membership.holdsLease(), 10_000)
    await cluster.converge([a, b], [1, 2], 10_000)
    t.diagnostic(`from restarting etcd, both nodes held leases and saw both members within ${realClock.monotonicMs() - backAtMs} ms`)
    assert.equal(a.membership.currentView()!.clusterKey, b.membership.currentView()!.clusterKey)
  } finally {
    await cluster.leaveAll()
    await h.close()
  }
})
