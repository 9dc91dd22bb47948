// The membership contract, held against StoreMembership over etcd and over the in-process store.
// Heartbeat: renew every 200 ms, TTL 2 s (etcd's minimum), so a real etcd keeps the tests short.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StoreMembership, leaseMarginMs } from '../../src/cluster/membership-client.ts'
import type { View } from '../../src/cluster/view.ts'
import { CutStore, MemoryLog, memberInfo, type Harness, type HarnessFactory } from './harness.ts'

export const HEARTBEAT = { intervalMs: 200, timeoutCount: 10 }
export const TTL_MS = 2000
/** How long after its last renewal a node may still believe it holds its lease. */
export const FENCE_AFTER_MS = TTL_MS - leaseMarginMs(TTL_MS / 1000, HEARTBEAT.intervalMs)

export interface TestNode {
  n: number
  membership: StoreMembership
  store: CutStore
  log: MemoryLog
  views: View[]
  leaseChanges: { holds: boolean; atMs: number }[]
  metadataChanges: [string, string | undefined][]
}

export class Cluster {
  readonly h: Harness
  readonly name: string
  readonly nodes: TestNode[] = []

  constructor(h: Harness) {
    this.h = h
    this.name = h.uniqueName()
  }

  async node(n: number): Promise<TestNode> {
    const store = new CutStore(await this.h.openStore(), this.h.env.clock)
    const log = new MemoryLog()
    const membership = new StoreMembership({ clusterName: this.name, store, env: this.h.env, log, heartbeat: HEARTBEAT })
    const node: TestNode = { n, membership, store, log, views: [], leaseChanges: [], metadataChanges: [] }
    membership.onView((view) => node.views.push(view))
    membership.onLeaseChange((holds) => node.leaseChanges.push({ holds, atMs: this.h.env.clock.monotonicMs() }))
    membership.metadata.onChange((key, value) => node.metadataChanges.push([key, value]))
    this.nodes.push(node)
    return node
  }

  async join(n: number): Promise<TestNode> {
    const node = await this.node(n)
    const view = await node.membership.join(memberInfo(n))
    assert.ok(view.members.some((m) => m.nodeId === memberInfo(n).nodeId), 'the view join resolves with holds the node')
    return node
  }

  /** Waits until every listed node's current view has exactly the members `ns`. */
  async converge(nodes: readonly TestNode[], ns: readonly number[], withinMs = 4000): Promise<void> {
    const want = ns.map((n) => memberInfo(n).nodeId).sort().join(',')
    const ids = (node: TestNode): string => node.membership.currentView()?.members.map((m) => m.nodeId).join(',') ?? ''
    await this.h.until(`nodes ${nodes.map((x) => x.n).join(',')} see members ${ns.join(',')}`, () => nodes.every((node) => ids(node) === want), withinMs)
  }

  async leaveAll(): Promise<void> {
    for (const node of this.nodes) await node.membership.leave()
  }
}

async function withCluster(factory: HarnessFactory, run: (c: Cluster) => Promise<void>): Promise<void> {
  const h = await factory()
  const cluster = new Cluster(h)
  try {
    await run(cluster)
  } finally {
    await cluster.leaveAll()
    await h.close()
  }
}

const key = (view: View): string => `${view.revision}:${view.clusterKey}:${view.members.map((m) => m.nodeId).join(',')}`

export function defineMembershipContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: membership`, () => {
    test('three members see the same views in the same order; a node that leaves is gone at once', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        const cc = await c.join(3)
        await c.converge([a, b, cc], [1, 2, 3])
        // Each node's views are the tail of the first node's, from the view it joined with.
        const aViews = a.views.map(key)
        assert.equal(aViews.length, 3, `a saw itself, then b, then c join: ${aViews.join(' | ')}`)
        for (const node of [b, cc]) {
          const mine = node.views.map(key)
          assert.deepEqual(mine, aViews.slice(aViews.length - mine.length), `node ${node.n} saw ${mine.join(' | ')}`)
        }
        assert.ok(a.views.every((v, i) => i === 0 || v.revision > a.views[i - 1]!.revision), 'view revisions grow')
        const startMs = c.h.env.clock.monotonicMs()
        await b.membership.leave()
        await c.converge([a, cc], [1, 3], 1000)
        assert.ok(c.h.env.clock.monotonicMs() - startMs < TTL_MS / 2, 'a leave is seen well before the lease could expire')
        assert.equal(key(a.views.at(-1)!), key(cc.views.at(-1)!))
        assert.equal(b.membership.holdsLease(), false, 'a node that left holds no lease')
      })
    })

    test('a node whose id a node at another address holds does not join, and says why; it joins once that node left, and its own earlier process is no clash', async () => {
      await withCluster(factory, async (c) => {
        const holder = await c.join(1)
        const clash = await c.node(1)
        let joined = false
        const joining = clash.membership.join({ ...memberInfo(1), service: { host: '127.0.0.9', port: 3001 } }).then(() => { joined = true })
        await c.h.until('the clash is logged', () => clash.log.matching(/node id .* is in use by the node serving 127\.0\.0\.1:3001/).length > 0, 3000)
        assert.equal(joined, false, 'no second node joins under one id')
        assert.equal(holder.membership.currentView()?.members.length, 1)
        await holder.membership.leave()
        await c.h.until('the node joins once the id is free', () => joined, 8000)
        await joining
        assert.equal(clash.membership.currentView()?.members[0]?.service.host, '127.0.0.9')
        // The same address: this node's own process again (a restart before its key expired).
        const again = await c.node(1)
        const view = await again.membership.join({ ...memberInfo(1), service: { host: '127.0.0.9', port: 3001 } })
        assert.equal(view.members.length, 1)
      })
    })

    test('leaseTtlMs is the TTL of the lease granted (how long a view waits for absent members of the last cluster)', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        assert.equal(a.membership.leaseTtlMs(), TTL_MS)
      })
    })

    test('metadata: changes reach every member in order, and a node that joins later has all entries when join resolves', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        await a.membership.metadata.put('udf/one.lua', 'v1')
        await a.membership.metadata.put('sindex/test/idx', 'bin a numeric')
        await a.membership.metadata.put('udf/one.lua', 'v2')
        await a.membership.metadata.remove('sindex/test/idx')
        await c.h.until('a sees its four changes', () => a.metadataChanges.length === 4, 2000)
        assert.deepEqual(a.metadataChanges, [['udf/one.lua', 'v1'], ['sindex/test/idx', 'bin a numeric'], ['udf/one.lua', 'v2'], ['sindex/test/idx', undefined]])
        const b = await c.join(2)
        assert.deepEqual([...b.membership.metadata.entries()], [['udf/one.lua', 'v2']], 'complete when join resolves')
        await b.membership.metadata.put('truncate/test', '123')
        await c.h.until('both see the truncate entry', () => [a, b].every((x) => x.membership.metadata.entries().get('truncate/test') === '123'), 2000)
        assert.deepEqual(b.metadataChanges, [['truncate/test', '123']])
      })
    })

    test('metadata: update is a compare-and-swap: of concurrent raises the highest value stays', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        const raise = (to: number) => (current: string | undefined) => (current !== undefined && Number(current) >= to ? undefined : String(to))
        const revisions = await Promise.all([200, 100, 300, 150].map((to, i) => (i % 2 === 0 ? a : b).membership.metadata.update('truncate/cas', raise(to))))
        const entry = (await a.store.range(`/${c.name}/smd/truncate/cas`)).kvs[0]
        assert.equal(entry?.value, '300')
        assert.ok(revisions.every((revision) => revision > 0 && revision <= entry!.modRevision), `each answered a revision of a value that stood: ${revisions.join(' ')}`)
        assert.equal(await a.membership.metadata.update('truncate/cas', raise(250)), entry!.modRevision, 'a lower value leaves the entry, answering its revision')
        assert.equal(await a.membership.metadata.update('truncate/none', () => undefined), 0, 'no entry, nothing put')
      })
    })

    test('metadata: seen(revision) of a write resolves once this node applied it, and rejects once the membership stopped', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        const revision = await a.membership.metadata.put('udf/seen.lua', 'v1')
        let appliedWhenSeen: [string | undefined, number] | undefined
        void a.membership.metadata.seen(revision).then(() => {
          appliedWhenSeen = [a.membership.metadata.entries().get('udf/seen.lua'), a.metadataChanges.length]
        })
        await c.h.until('a saw its own write', () => appliedWhenSeen !== undefined, 2000)
        assert.deepEqual(appliedWhenSeen, ['v1', 1], 'entries and the listener had the change first')
        // b's seen of a's revision resolves too (once its watch got there).
        let bSaw = false
        void b.membership.metadata.seen(revision).then(() => {
          bSaw = b.membership.metadata.entries().get('udf/seen.lua') === 'v1'
        })
        await c.h.until('b saw the revision', () => bSaw, 2000)
        let refused: unknown
        const afterRemove = (await b.membership.metadata.remove('udf/seen.lua'))!
        assert.equal(await b.membership.metadata.remove('udf/seen.lua'), undefined, 'a second removal removes nothing')
        const waiting = b.membership.metadata.seen(afterRemove + 1000).catch((error: unknown) => {
          refused = error
        })
        b.membership.halt()
        await waiting
        assert.match(String(refused), /stopped following .* before revision/)
        await assert.rejects(b.membership.metadata.seen(afterRemove + 1000), /stopped following/)
      })
    })

    test('updateSelf: every member sees the new info in a new view, on the same lease; the node id cannot change', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        await c.converge([a, b], [1, 2])
        const viewsBefore = b.views.length
        const quiescedA = (node: TestNode): boolean | undefined => node.membership.currentView()?.members.find((m) => m.nodeId === memberInfo(1).nodeId)?.quiesced
        await a.membership.updateSelf({ ...memberInfo(1), quiesced: true })
        await c.h.until('both see a quiesced', () => [a, b].every((node) => quiescedA(node) === true), 2000)
        assert.equal(b.views.length, viewsBefore + 1, 'one new view')
        assert.equal(key(a.membership.currentView()!), key(b.membership.currentView()!))
        await assert.rejects(a.membership.updateSelf(memberInfo(3)), /node id/)
        assert.equal(a.membership.holdsLease(), true)
        // Still on a's lease: revoking it removes the key at once.
        await a.membership.leave()
        await c.converge([b], [2], 1000)
      })
    })

    test('updateSelf while the store cannot be reached rejects, and the registration after the lost lease carries the new info', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        await c.converge([a, b], [1, 2])
        b.store.setCut(true)
        await c.converge([a], [1], TTL_MS + 2000)
        await assert.rejects(b.membership.updateSelf({ ...memberInfo(2), quiesced: true }), /unreachable|unavailable/)
        b.store.setCut(false)
        await c.converge([a, b], [1, 2], 4000)
        const seenByA = a.membership.currentView()!.members.find((m) => m.nodeId === memberInfo(2).nodeId)
        assert.equal(seenByA?.quiesced, true, 'b registered again with its new info')
      })
    })

    test('join waits while the store cannot be reached, saying so once per attempt, and completes once it can', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.node(1)
        a.store.setCut(true)
        let joined: View | undefined
        const joining = a.membership.join(memberInfo(1)).then((view) => {
          joined = view
        })
        await c.h.pass(1500)
        assert.equal(joined, undefined)
        const waits = a.log.matching(/^waiting for /)
        assert.ok(waits.length >= 3, `a few attempts in 1.5 s, got ${waits.length}`)
        assert.ok(waits.every((line) => line.level === 'warn' && line.message.startsWith(`waiting for ${a.store.name}: `) && /unreachable/.test(line.message)), waits.map((l) => l.message).join('\n'))
        assert.deepEqual(waits.map((line) => (line.details as { attempt: number }).attempt), waits.map((_, i) => i + 1))
        a.store.setCut(false)
        await c.h.until('join resolves', () => joined !== undefined, 6000)
        await joining
        assert.deepEqual(joined!.members.map((m) => m.nodeId), [memberInfo(1).nodeId])
        assert.equal(a.membership.holdsLease(), true)
      })
    })

    test('a node cut off stops holding its lease by its deadline, the others see it leave when the lease expires, and it rejoins when it can reach the store', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        await c.converge([a, b], [1, 2])
        assert.equal(b.membership.holdsLease(), true)
        let lost = 0
        b.membership.onLeaseLost(() => lost++)
        const registeredAgain: boolean[] = []
        b.membership.onRegisteredAgain((clusterWentOn) => registeredAgain.push(clusterWentOn))
        b.store.setCut(true)
        await c.h.until('b is told it no longer holds its lease', () => b.leaseChanges.at(-1)?.holds === false, TTL_MS + 500)
        assert.equal(lost, 0, 'a passed deadline alone does not mean the store dropped the lease')
        assert.equal(b.membership.holdsLease(), false)
        const lastRenewal = b.store.lastRenewalSentAtMs!
        const fenced = b.leaseChanges.at(-1)!
        assert.equal(fenced.holds, false)
        assert.ok(fenced.atMs - lastRenewal <= FENCE_AFTER_MS + 100, `fenced ${fenced.atMs - lastRenewal} ms after the last renewal was sent`)
        await c.converge([a], [1], TTL_MS + 2000)
        b.store.setCut(false)
        await c.h.until('b holds a lease again', () => b.membership.holdsLease(), 4000)
        assert.deepEqual(b.leaseChanges.map((x) => x.holds), [true, false, true])
        await c.converge([a, b], [1, 2])
        assert.ok(b.log.matching(/lease .* is gone/).length >= 1, 'b found its lease gone and registered again')
        assert.equal(lost, 1, 'b was told once that the store dropped its lease')
        assert.deepEqual(registeredAgain, [true], 'b was told once, on registering again, that a kept its lease: the cluster went on without b')
        assert.deepEqual(b.membership.currentView()!.members, [memberInfo(1), memberInfo(2)], 'views show the members\' info, not the leases their keys are on')
        // b learns its own return (and its absence before it) through its watch, soon after registering again.
        await c.h.until('a and b agree on the view', () => key(a.membership.currentView()!) === key(b.membership.currentView()!), 1000)
        assert.deepEqual(b.views.slice(-2).map(key), a.views.slice(-2).map(key), 'b saw itself leave and return as a did')
      })
    })

    test('when every member lost its lease (the store unreachable for all past the TTL), each is told on registering again that the cluster did not go on without it', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        await c.converge([a, b], [1, 2])
        const told = new Map<number, boolean[]>([[1, []], [2, []]])
        for (const node of [a, b]) node.membership.onRegisteredAgain((clusterWentOn) => told.get(node.n)!.push(clusterWentOn))
        const seenBefore = new Map([a, b].map((node) => [node.n, node.views.length]))
        // b's lease expires first: a's watch, once it reaches the store again, replays a view that
        // still holds a's old key (on the lease a lost).
        b.store.setCut(true)
        await c.h.pass(2 * HEARTBEAT.intervalMs)
        a.store.setCut(true)
        // The store expires both leases meanwhile: past the TTL from the last renewals.
        await c.h.pass(TTL_MS + 1000)
        assert.equal(a.membership.holdsLease(), false)
        assert.equal(b.membership.holdsLease(), false)
        a.store.setCut(false)
        await c.h.until('a holds a lease again', () => a.membership.holdsLease(), 4000)
        b.store.setCut(false)
        await c.h.until('b holds a lease again', () => b.membership.holdsLease(), 4000)
        // The view before the cut has both members too: wait for a later one.
        const both = (view: View | undefined): boolean => view?.members.length === 2
        await c.h.until('a and b see both back in a view after the outage', () => [a, b].every((node) => node.views.length > seenBefore.get(node.n)! && both(node.views.at(-1))), 4000)
        // a came back first and found nobody; b found a, but on another lease than in its last view.
        assert.deepEqual(told.get(1), [false])
        assert.deepEqual(told.get(2), [false])
        for (const node of [a, b]) {
          // Views from the store's history that hold the node's old key come without it: it is a member again only once registered again.
          const holds = node.views.slice(seenBefore.get(node.n)).map((view) => view.members.some((m) => m.nodeId === memberInfo(node.n).nodeId))
          assert.deepEqual(holds.slice(holds.indexOf(true)), holds.slice(holds.indexOf(true)).map(() => true), `node ${node.n}: in the views after the outage (${holds.join(', ')}), once back, it stays`)
          assert.equal(holds.at(-1), true)
        }
      })
    })

    test('a watch that fell behind a compaction reads the cluster again and goes on from there', async () => {
      await withCluster(factory, async (c) => {
        const a = await c.join(1)
        const b = await c.join(2)
        await c.converge([a, b], [1, 2])
        b.store.setCut(true)
        await a.membership.metadata.put('udf/x.lua', 'body')
        await c.join(3)
        // A later change that is not a member's: the revision b reads at is not that of 3's join.
        await a.membership.metadata.put('udf/y.lua', 'body')
        const { revision } = await a.store.range('/')
        await a.store.compact(revision)
        b.store.setCut(false)
        await c.converge([b], [1, 2, 3], 1500)
        // b missed the revision of 3's join, so it put its own key again: one view for all at that revision.
        const third = c.nodes[2]!
        await c.h.until('the three agree on the view', () => new Set([a, b, third].map((x) => key(x.membership.currentView()!))).size === 1, 1500)
        assert.equal(b.membership.metadata.entries().get('udf/x.lua'), 'body')
        assert.deepEqual(b.metadataChanges, [['udf/x.lua', 'body'], ['udf/y.lua', 'body']])
        assert.ok(b.log.matching(/compaction/).length >= 1, 'b re-listed after a compaction')
        assert.equal(b.membership.holdsLease(), true, 'a short cut does not cost the lease')
        // And it follows later changes through the new watch.
        await c.nodes[2]!.membership.leave()
        await c.converge([a, b], [1, 2])
      })
    })
  })
}
