// The store semantics membership relies on, held against etcd and the in-process store alike, so
// the in-process one cannot drift from etcd.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CompactedError, LeaseGoneError, type MembershipStore, type StoreEvent } from '../../src/cluster/membership-store.ts'
import type { Harness, HarnessFactory } from './harness.ts'

async function withStore(factory: HarnessFactory, run: (h: Harness, store: MembershipStore, prefix: string) => Promise<void>): Promise<void> {
  const h = await factory()
  try {
    await run(h, await h.openStore(), `/${h.uniqueName()}/`)
  } finally {
    await h.close()
  }
}

/** Collects a watch's events and its error. */
function collect(store: MembershipStore, prefix: string, fromRevision: number): { events: StoreEvent[]; error: Error | undefined; cancel(): void } {
  const seen = { events: [] as StoreEvent[], error: undefined as Error | undefined, cancel: () => {} }
  const watch = store.watch(prefix, fromRevision, {
    onEvents: (events) => seen.events.push(...events),
    onError: (error) => {
      seen.error = error
    },
  })
  seen.cancel = () => watch.cancel()
  return seen
}

export function defineStoreContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: store semantics`, () => {
    test('a lease is granted in whole seconds, rounded up, and never under 2 s', async () => {
      await withStore(factory, async (_h, store) => {
        assert.equal((await store.grantLease(1)).ttlSeconds, 2)
        assert.equal((await store.grantLease(2)).ttlSeconds, 2)
        assert.equal((await store.grantLease(2.2)).ttlSeconds, 3)
        assert.equal((await store.grantLease(7)).ttlSeconds, 7)
      })
    })

    test('keep-alive answers the TTL; once revoked it says gone, a put on it fails as gone, and its keys are deleted', async () => {
      await withStore(factory, async (_h, store, prefix) => {
        const lease = await store.grantLease(5)
        assert.equal(await store.keepAliveOnce(lease.id), 5)
        await store.put(`${prefix}a`, 'on lease', lease.id)
        await store.put(`${prefix}b`, 'no lease')
        await store.revokeLease(lease.id)
        assert.equal(await store.keepAliveOnce(lease.id), 'gone')
        await store.revokeLease(lease.id) // already gone: not an error
        await assert.rejects(store.put(`${prefix}c`, 'x', lease.id), LeaseGoneError)
        assert.deepEqual((await store.range(prefix)).kvs.map((kv) => kv.key), [`${prefix}b`])
      })
    })

    test('a lease not kept alive expires after its TTL with its keys; one kept alive outlives it', async () => {
      await withStore(factory, async (h, store, prefix) => {
        const dying = await store.grantLease(2)
        const kept = await store.grantLease(2)
        await store.put(`${prefix}dying`, '1', dying.id)
        await store.put(`${prefix}kept`, '1', kept.id)
        await h.pass(1500)
        assert.equal((await store.range(prefix)).kvs.length, 2, 'both keys are there before the TTL')
        // etcd checks for expired leases every 500 ms: give it that much past the TTL.
        for (let i = 0; i < 6; i++) {
          assert.equal(await store.keepAliveOnce(kept.id), 2)
          await h.pass(500)
        }
        assert.equal(await store.keepAliveOnce(dying.id), 'gone')
        assert.deepEqual((await store.range(prefix)).kvs.map((kv) => kv.key), [`${prefix}kept`])
      })
    })

    test('range lists a prefix in key order with mod revisions, now or at a past revision', async () => {
      await withStore(factory, async (_h, store, prefix) => {
        const r1 = await store.put(`${prefix}b`, 'one')
        const r2 = await store.put(`${prefix}a`, 'two')
        await store.put(`${prefix.slice(0, -1)}x`, 'outside the prefix')
        const r3 = await store.put(`${prefix}b`, 'three')
        const r4 = (await store.delete(`${prefix}a`))!
        assert.ok(r1 < r2 && r2 < r3 && r3 < r4, `revisions grow: ${r1} ${r2} ${r3} ${r4}`)
        const now = await store.range(prefix)
        assert.ok(now.revision >= r4)
        assert.deepEqual(now.kvs, [{ key: `${prefix}b`, value: 'three', modRevision: r3 }])
        const past = await store.range(prefix, r2)
        assert.equal(past.revision, r2)
        assert.deepEqual(past.kvs, [{ key: `${prefix}a`, value: 'two', modRevision: r2 }, { key: `${prefix}b`, value: 'one', modRevision: r1 }])
        const before = (await store.range(prefix)).revision
        assert.equal(await store.delete(`${prefix}never`), undefined, 'deleting a missing key says so')
        assert.equal((await store.range(prefix)).revision, before, 'and changes nothing')
      })
    })

    test('a conditional put writes only over the mod revision it names (0: a missing key)', async () => {
      await withStore(factory, async (_h, store, prefix) => {
        const key = `${prefix}cas`
        const created = await store.putIfUnchanged(key, 'one', 0)
        assert.ok(created !== undefined, 'created where there was no key')
        assert.equal(await store.putIfUnchanged(key, 'two', 0), undefined, 'the key exists now')
        const other = await store.put(key, 'other')
        assert.equal(await store.putIfUnchanged(key, 'two', created), undefined, 'another put came between')
        const updated = await store.putIfUnchanged(key, 'two', other)
        assert.ok(updated !== undefined && updated > other)
        assert.deepEqual((await store.range(key)).kvs, [{ key, value: 'two', modRevision: updated }])
        await store.delete(key)
        assert.ok((await store.putIfUnchanged(key, 'again', 0)) !== undefined, 'a deleted key counts as missing')
      })
    })

    test('a watch replays the changes from its start revision, then follows new ones, in order', async () => {
      await withStore(factory, async (h, store, prefix) => {
        const r1 = await store.put(`${prefix}k`, 'v1')
        const r2 = await store.put(`${prefix}k`, 'v2')
        const watch = collect(store, prefix, r2)
        const r3 = await store.delete(`${prefix}k`)
        const r4 = await store.put(`${prefix}j`, 'v3')
        await h.until('the watch sees three events', () => watch.events.length >= 3, 2000)
        watch.cancel()
        assert.ok(r1 < r2)
        assert.deepEqual(watch.events, [
          { type: 'put', key: `${prefix}k`, value: 'v2', revision: r2 },
          { type: 'delete', key: `${prefix}k`, value: '', revision: r3 },
          { type: 'put', key: `${prefix}j`, value: 'v3', revision: r4 },
        ])
        assert.equal(watch.error, undefined)
      })
    })

    test('after compaction, a watch or a range from an earlier revision fails as compacted; from the compaction revision on they work', async () => {
      await withStore(factory, async (h, store, prefix) => {
        const r1 = await store.put(`${prefix}k`, 'v1')
        const r2 = await store.put(`${prefix}k`, 'v2')
        await store.compact(r2)
        const early = collect(store, prefix, r1)
        await h.until('the watch from a compacted revision fails', () => early.error !== undefined, 2000)
        assert.ok(early.error instanceof CompactedError, `a CompactedError, got ${String(early.error)}`)
        assert.equal(early.events.length, 0)
        await assert.rejects(store.range(prefix, r1), CompactedError)
        const fromCompaction = collect(store, prefix, r2)
        await h.until('the watch from the compaction revision replays it', () => fromCompaction.events.length >= 1, 2000)
        fromCompaction.cancel()
        assert.deepEqual(fromCompaction.events, [{ type: 'put', key: `${prefix}k`, value: 'v2', revision: r2 }])
        assert.equal(fromCompaction.error, undefined)
      })
    })
  })
}
