// XDR between two single nodes (two "clusters"), driven by the official client: node A ships its
// namespace to DC dc2 (node B). Writes and deletes arrive within a second with their key and TTL;
// set filters and remote-namespace apply; two regions shipping to each other never loop; a DC that
// is down is caught up when it returns, and a queue that overflowed meanwhile is recovered by a
// partition walk. The statistics count all of it.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Aerospike, type AerospikeClient } from '../compat/helpers.ts'
import { eventually as waitFor, infoValue, statistic } from '../cluster/embedded-harness.ts'
import { startNodeWithClient, type NodeWithClient } from './xdr-harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'aerolite-xdr-'))
const cleanups: Array<() => Promise<void>> = []

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

let configs = 0
/** A node on `port` with namespaces test (with `testSettings`) and other, shipping as `xdr` (lines inside an xdr block) says. */
async function node(port: number, xdr: string[] = [], testSettings: string[] = []): Promise<NodeWithClient> {
  return startNodeWithClient(join(dir, `node-${++configs}.conf`), [
    ...(xdr.length > 0 ? ['xdr {', ...xdr, '}'] : []),
    'namespace test {', ...testSettings, '}',
    'namespace other {', '}',
  ], port, cleanups, { httpPort: 0 })
}

const dcTo = (port: number, ...namespace: string[]): string[] => [
  'dc dc2 {', `node-address-port 127.0.0.1 ${port}`, 'period-ms 20', 'namespace test {', ...namespace, '}', '}',
]

async function stats(client: AerospikeClient, namespace?: string): Promise<Record<string, number>> {
  const answer = await client.infoAny(`get-stats:context=xdr;dc=dc2${namespace === undefined ? '' : `;namespace=${namespace}`}`)
  const text = answer.slice(answer.indexOf('\t') + 1).trim()
  return Object.fromEntries(text.split(';').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]))
}

/** Polls often: how soon a change arrives is measured. */
const POLL_MS = 20
const eventually = (what: string, check: () => Promise<boolean>, withinMs = 10_000): Promise<number> => waitFor(what, check, withinMs, POLL_MS)

async function exists(client: AerospikeClient, key: unknown): Promise<boolean> {
  return client.exists(key as never)
}

describe('XDR from one node to another', { timeout: 120_000 }, () => {
  it('ships writes (bins, key, TTL) and deletes within a second, counting them', async (t) => {
    const b = await node(0)
    const a = await node(0, dcTo(b.server.port))
    const keys = Array.from({ length: 200 }, (_, i) => new Aerospike.Key('test', 'users', i))
    const openedBefore = Number(statistic(await infoValue(b.server, 'statistics'), 'client_connections_opened'))
    for (const [i, key] of keys.entries()) await a.client.put(key, { n: i, s: `v${i}`, list: [i, 'x'] }, { ttl: 3600 }, { key: Aerospike.policy.key.SEND })
    await a.client.remove(keys[7]!)
    await a.client.put(keys[8]!, { n: -8 })
    const wroteAt = performance.now()
    const waitedMs = await eventually('the last write to arrive', async () => !(await exists(b.client, keys[7]!)) && (await b.client.get(keys[8]!)).bins.n === -8)
    t.diagnostic(`200 writes, a delete and an overwrite arrived at the DC within ${Math.round(performance.now() - wroteAt)} ms (${Math.round(waitedMs)} ms after the last)`)
    assert.ok(waitedMs < 1000, `within a second: ${waitedMs} ms`)
    // A few connections (an info and a data connection, this check's, the test client's own tending),
    // not one per record sent at once.
    const opened = Number(statistic(await infoValue(b.server, 'statistics'), 'client_connections_opened')) - openedBefore
    assert.ok(opened < 10, `${opened} connections were opened to the DC`)
    const record = await b.client.get(keys[3]!)
    assert.deepEqual(record.bins, { n: 3, s: 'v3', list: [3, 'x'] })
    assert.ok(record.ttl > 3500 && record.ttl <= 3600, `TTL ${record.ttl}`)
    const scanned = await b.client.scan('test', 'users').results()
    assert.equal(scanned.length, 199)
    assert.ok(scanned.every((r) => r.key.key !== undefined), 'the user keys shipped with the records')
    const s = await stats(a.client)
    // 202 changes: each shipped, or folded into a change of its record still waiting (a hot key).
    assert.equal(s.success! + s.hot_keys!, 202)
    assert.ok(s.success! >= 200, `${s.success} shipped`)
    assert.equal(s.in_queue, 0)
    assert.equal(s.abandoned, 0)
    assert.equal(s.lag, 0)
    // /metrics names them as Aerospike's exporter does: per DC, and per DC and namespace.
    const metrics = await (await fetch(`http://127.0.0.1:${a.server.httpPort}/metrics`)).text()
    const service = `cluster_name="null",service="${a.server.host}:${a.server.port}",dc="dc2"`
    assert.match(metrics, new RegExp(`^aerospike_xdr_success\\{${service}\\} ${s.success}$`, 'm'))
    assert.match(metrics, new RegExp(`^aerospike_xdr_dc_namespace_success\\{${service},ns="test"\\} ${s.success}$`, 'm'))
    assert.match(metrics, /^# TYPE aerospike_xdr_lag gauge$/m)
    assert.match(metrics, /^# TYPE aerospike_xdr_success counter$/m)
    await a.server.stop()
    await b.server.stop()
  })

  it('ships only the sets asked for, into remote-namespace', async () => {
    const b = await node(0)
    const a = await node(0, dcTo(b.server.port, 'remote-namespace other', 'ship-only-specified-sets true', 'ship-set keep', 'ship-set noisy', 'ignore-set noisy'))
    await a.client.put(new Aerospike.Key('test', 'keep', 1), { v: 1 })
    await a.client.put(new Aerospike.Key('test', 'drop', 1), { v: 1 })
    await a.client.put(new Aerospike.Key('test', 'noisy', 1), { v: 1 })
    await eventually('the shipped set to arrive', () => exists(b.client, new Aerospike.Key('other', 'keep', 1)))
    assert.equal(await exists(b.client, new Aerospike.Key('test', 'keep', 1)), false, 'into the remote namespace, not the same name')
    assert.equal(await exists(b.client, new Aerospike.Key('other', 'drop', 1)), false)
    assert.equal(await exists(b.client, new Aerospike.Key('other', 'noisy', 1)), false, 'ignore-set wins over ship-set')
    assert.deepEqual([(await stats(a.client)).success, (await stats(a.client)).filtered_out], [1, 2])
    await a.server.stop()
    await b.server.stop()
  })

  // That they travel compressed is packages/server/test/xdr/ship-message.test.ts's; here, that the DC takes them.
  it('enable-compression: the DC takes the compressed records as written', async () => {
    const b = await node(0)
    const a = await node(0, dcTo(b.server.port, 'enable-compression true'))
    const keys = Array.from({ length: 20 }, (_, i) => new Aerospike.Key('test', 'zipped', i))
    for (const [i, key] of keys.entries()) await a.client.put(key, { text: `${i}:`.padEnd(4000, 'abc'), n: i })
    await eventually('the records to arrive', async () => (await b.client.scan('test', 'zipped').results()).length === 20)
    for (const [i, key] of keys.entries()) assert.deepEqual((await b.client.get(key)).bins, { text: `${i}:`.padEnd(4000, 'abc'), n: i })
    await a.server.stop()
    await b.server.stop()
  })

  it('bin-policy ships the changed bins (only-changed), with ship-bin (changed-or-specified) or among them (changed-and-specified)', async () => {
    const b = await node(0)
    const a = await node(0, dcTo(b.server.port, 'bin-policy only-changed'))
    const key = new Aerospike.Key('test', 'bins', 1)
    const remote = async (): Promise<Record<string, unknown>> => (await b.client.get(key)).bins
    const shipped = async (): Promise<number> => (await stats(a.client)).success!
    const setPolicy = async (setting: string): Promise<void> => {
      assert.match(await a.client.infoAny(`set-config:context=xdr;dc=dc2;namespace=test;${setting}`), /\tok/)
    }
    // w never changes and is never specified: a change that leaves it out updates the DC's record.
    await a.client.put(key, { w: 0, x: 1, y: 2, z: 3 })
    await eventually('the new record to arrive whole', async () => JSON.stringify(await exists(b.client, key) ? await remote() : {}) === '{"w":0,"x":1,"y":2,"z":3}')
    // Marks on the DC's copy show which bins a later change ships.
    const mark = async (): Promise<void> => {
      await b.client.put(key, { y: 'dc', z: 'dc' })
    }
    await mark()
    let before = await shipped()
    await a.client.put(key, { x: 10 })
    await a.client.put(key, { z: null })
    await eventually('the changed bins to arrive', async () => (await shipped()) > before && (await remote()).x === 10 && (await remote()).z === undefined)
    assert.deepEqual(await remote(), { w: 0, x: 10, y: 'dc' }, 'x changed, z removed; y, unchanged, did not ship')

    await setPolicy('bin-policy=changed-or-specified')
    await setPolicy('ship-bin=y;action=add')
    await mark()
    before = await shipped()
    await a.client.put(key, { x: 11 })
    await eventually('the next change to arrive', async () => (await shipped()) > before && (await remote()).x === 11)
    assert.deepEqual(await remote(), { w: 0, x: 11, y: 2, z: 'dc' }, 'y ships as specified, z (not changed, not specified) does not')

    await setPolicy('bin-policy=changed-and-specified')
    await mark()
    before = await shipped()
    await a.client.put(key, { x: 12, y: 20 })
    await eventually('the next change to arrive', async () => (await shipped()) > before && (await remote()).y === 20)
    assert.deepEqual(await remote(), { w: 0, x: 11, y: 20, z: 'dc' }, 'only y: changed and specified')
    await a.server.stop()
    await b.server.stop()
  })

  it('a DC filter (setXDRFilter) ships only the records that match it; deletes always ship', async () => {
    const b = await node(0)
    const a = await node(0, dcTo(b.server.port))
    const answer = await a.client.setXDRFilter(Aerospike.exp.eq(Aerospike.exp.binInt('tier'), Aerospike.exp.int(1)), 'dc2', 'test')
    assert.match(answer, /^xdr-set-filter:dc=dc2;namespace=test;exp=\S+\tok\n?$/)
    for (let i = 0; i < 20; i++) await a.client.put(new Aerospike.Key('test', 'f', i), { tier: i % 2 })
    await eventually('the matching records to arrive', async () => (await b.client.scan('test', 'f').results()).length === 10)
    assert.ok((await b.client.scan('test', 'f').results()).every((r) => r.bins.tier === 1))
    await eventually('the shipper to pass the others', async () => (await stats(a.client)).filtered_out === 10)
    await a.client.remove(new Aerospike.Key('test', 'f', 1))
    await eventually('the delete to arrive', async () => !(await exists(b.client, new Aerospike.Key('test', 'f', 1))))
    assert.match(await a.client.setXDRFilter(null, 'dc2', 'test'), /exp=null\tok/)
    await a.client.put(new Aerospike.Key('test', 'f', 100), { tier: 0 })
    await eventually('without the filter every record ships', () => exists(b.client, new Aerospike.Key('test', 'f', 100)))
    for (const [command, error] of [
      ['xdr-set-filter:dc=dc2;namespace=test;exp=AAAA', /^ERROR:4:exp is not a boolean filter expression/],
      ['xdr-set-filter:dc=dc2;namespace=test;exp=@@', /^ERROR:4:exp is not base64$/],
      ['xdr-set-filter:dc=dc2;namespace=test', /^ERROR:4:missing exp=BASE64/],
      ['xdr-set-filter:dc=dc9;namespace=test;exp=null', /^ERROR:4:DC dc9 not found/],
      ['xdr-set-filter:dc=dc2;namespace=other;exp=null', /^ERROR:4:namespace other is not shipped to DC dc2$/],
    ] as const) assert.match(await infoValue(a.server, command), error, command)
    await a.server.stop()
    await b.server.stop()
  })

  it('two regions shipping to each other never loop: a shipped write is not shipped back', async () => {
    const portA = await freePort()
    const portB = await freePort()
    const b = await node(portB, dcTo(portA))
    const a = await node(portA, dcTo(portB))
    for (let i = 0; i < 50; i++) await a.client.put(new Aerospike.Key('test', 'aa', i), { from: 'a' })
    for (let i = 0; i < 30; i++) await b.client.put(new Aerospike.Key('test', 'bb', i), { from: 'b' })
    await eventually('both regions to hold all 80', async () => (await b.client.scan('test', 'aa').results()).length === 50 && (await a.client.scan('test', 'bb').results()).length === 30)
    // Time for an echo to happen if it were going to.
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal((await stats(a.client)).success, 50, 'A shipped only its own writes')
    assert.equal((await stats(b.client)).success, 30, 'B shipped only its own writes')
    await a.server.stop()
    await b.server.stop()
  })

  it('two regions writing the same records at once converge under conflict-resolve-writes: the later write or delete wins on both', async () => {
    const portA = await freePort()
    const portB = await freePort()
    // Each change is held a second before it ships, so both writes of a record are made before
    // either region hears of the other's: every record below is a conflict.
    const held = ['delay-ms 1000']
    const b = await node(portB, ['src-id 2', ...dcTo(portA, ...held)], ['conflict-resolve-writes true'])
    const a = await node(portA, ['src-id 1', ...dcTo(portB, ...held)], ['conflict-resolve-writes true'])
    assert.match(await a.client.infoAny('get-config:context=namespace;id=test'), /;conflict-resolve-writes=true;/)
    await assert.rejects(a.client.infoAny('set-config:context=namespace;id=test;conflict-resolve-writes=maybe'), /conflict-resolve-writes: "maybe" is not true or false/)
    const key = (i: number) => new Aerospike.Key('test', 'cr', i)
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3))
    const expected = new Map<number, string | undefined>()
    for (let i = 0; i < 100; i++) {
      if (i < 40) {
        await a.client.put(key(i), { from: 'a', i })
        await pause()
        await b.client.put(key(i), { from: 'b', i })
        expected.set(i, 'b')
      } else if (i < 80) {
        await b.client.put(key(i), { from: 'b', i })
        await pause()
        await a.client.put(key(i), { from: 'a', i })
        expected.set(i, 'a')
      } else if (i < 90) {
        // A deletes after B wrote: the delete is the newer change.
        await a.client.put(key(i), { from: 'a', i })
        await pause()
        await b.client.put(key(i), { from: 'b', i })
        await pause()
        await a.client.remove(key(i))
        expected.set(i, undefined)
      } else {
        // B writes after A deleted: the write is the newer change.
        await a.client.put(key(i), { from: 'a', i })
        await a.client.remove(key(i))
        await pause()
        await b.client.put(key(i), { from: 'b', i })
        expected.set(i, 'b')
      }
    }
    const holds = async (client: AerospikeClient): Promise<Map<number, string>> =>
      new Map((await client.scan('test', 'cr').results()).map((r) => [Number(r.bins.i), String(r.bins.from)]))
    const want = new Map([...expected].filter((e): e is [number, string] => e[1] !== undefined))
    const same = (m: Map<number, string>): boolean => m.size === want.size && [...want].every(([k, v]) => m.get(k) === v)
    await eventually('both regions to hold the later version of every record', async () => same(await holds(a.client)) && same(await holds(b.client)), 15_000)
    // Time for a wrong version to arrive if one were still on its way.
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(await holds(a.client), want)
    assert.deepEqual(await holds(b.client), want)
    const lost = async (client: AerospikeClient): Promise<number> => {
      const answer = await client.infoAny('namespace/test')
      return Number(statistic(answer.slice(answer.indexOf('\t') + 1), 'fail_xdr_lost_conflict'))
    }
    // Each older version that reached the region holding the newer one was refused there. (A region
    // ships a record as it is when its turn comes: one that already took the other's newer version
    // ships that one, and nothing is refused for it.)
    const lostA = await lost(a.client)
    const lostB = await lost(b.client)
    assert.ok(lostA + lostB > 0 && lostA <= 50 && lostB <= 50, `lost conflicts: ${lostA} in A, ${lostB} in B`)
    await a.server.stop()
    await b.server.stop()
  })

  it('bin convergence (ship-bin-luts): two regions changing different bins of one record at once both keep both changes', async () => {
    // Without ship-bin-luts the same writes resolve whole records, and a region's changed bins are lost.
    for (const shipBinLuts of [true, false]) {
      const portA = await freePort()
      const portB = await freePort()
      const settings = ['delay-ms 1000', 'bin-policy only-changed', `ship-bin-luts ${shipBinLuts}`]
      const b = await node(portB, ['src-id 2', ...dcTo(portA, ...settings)], ['conflict-resolve-writes true'])
      const a = await node(portA, ['src-id 1', ...dcTo(portB, ...settings)], ['conflict-resolve-writes true'])
      const key = (i: number) => new Aerospike.Key('test', 'bc', i)
      const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3))
      for (let i = 0; i < 50; i++) await a.client.put(key(i), { base: 'a', i })
      await eventually('B to hold the records A wrote', async () => (await b.client.scan('test', 'bc').results()).length === 50, 15_000)
      const expected = new Map<number, Record<string, unknown>>()
      for (let i = 0; i < 50; i++) {
        if (i < 10) {
          // Different bins: both stay.
          await a.client.put(key(i), { x: 'a' })
          await b.client.put(key(i), { y: 'b' })
          expected.set(i, { base: 'a', i, x: 'a', y: 'b' })
        } else if (i < 20) {
          // B rewrites base, then A removes it: the removal is newer. B's other bin stays.
          await b.client.put(key(i), { base: 'b', y: 'b' })
          await pause()
          await a.client.put(key(i), { base: null })
          expected.set(i, { i, y: 'b' })
        } else if (i < 30) {
          // A deletes the record, then B writes a bin: only that bin is newer than the delete.
          await a.client.remove(key(i))
          await pause()
          await b.client.put(key(i), { y: 'b' })
          expected.set(i, { y: 'b' })
        } else if (i < 40) {
          // B writes a bin, then A deletes the record: the delete is newer than every bin.
          await b.client.put(key(i), { y: 'b' })
          await pause()
          await a.client.remove(key(i))
        } else {
          // B changes base, then A writes base again with the value it had: A's write is newer.
          await b.client.put(key(i), { base: 'b' })
          await pause()
          await a.client.put(key(i), { base: 'a' })
          expected.set(i, { base: 'a', i })
        }
      }
      // The records a region holds, each as its sorted bins (records 20-29 are left with bin y alone).
      const shapeOf = (records: Array<Record<string, unknown>>): string => JSON.stringify(records.map((bins) => JSON.stringify(Object.entries(bins).sort())).sort())
      const want = shapeOf([...expected.values()])
      const shape = async (client: AerospikeClient): Promise<string> => shapeOf((await client.scan('test', 'bc').results()).map((r) => r.bins))
      if (shipBinLuts) {
        await eventually('both regions to hold every change of every bin', async () => await shape(a.client) === want && await shape(b.client) === want, 15_000)
        // Time for an older bin to arrive if one were still on its way.
        await new Promise((resolve) => setTimeout(resolve, 500))
        assert.equal(await shape(a.client), want)
        assert.equal(await shape(b.client), want)
      } else {
        const idle = async (client: AerospikeClient): Promise<boolean> => {
          const s = await stats(client)
          return s.in_queue === 0 && s.in_progress === 0
        }
        // Past delay-ms, every change is queued or shipped: wait for the queues to drain.
        await new Promise((resolve) => setTimeout(resolve, 1200))
        await eventually('both regions to have shipped everything', async () => await idle(a.client) && await idle(b.client), 15_000)
        // The older region's changed bins lose whole to the newer record: the regions end different.
        assert.notEqual(await shape(a.client), want)
        assert.notEqual(await shape(b.client), await shape(a.client))
      }
      await a.server.stop()
      await b.server.stop()
    }
  })

  it('a DC that is down is caught up when it returns; an overflowed queue is recovered by a partition walk', async (t) => {
    const portB = await freePort()
    const a = await node(0, dcTo(portB, 'transaction-queue-limit 1024'))
    const keys = Array.from({ length: 1500 }, (_, i) => new Aerospike.Key('test', 'late', i))
    for (const [i, key] of keys.entries()) await a.client.put(key, { i })
    await eventually('the shipper to retry the unreachable DC', async () => (await stats(a.client)).retry_no_node! > 0)
    const down = await stats(a.client)
    assert.equal(down.in_queue, 1024, 'the queue holds its limit')
    assert.equal(down.recoveries_pending, 1, 'the changes past it wait for a recovery')
    assert.equal(down.success, 0)
    const b = await node(portB)
    const returnedAt = performance.now()
    await eventually('every record to reach the returned DC', async () => (await b.client.scan('test', 'late').results()).length === 1500, 30_000)
    t.diagnostic(`1500 records (476 of them past the queue's limit) reached the DC ${Math.round(performance.now() - returnedAt)} ms after it returned`)
    // A record the walk shipped may still have its queued change waiting to be taken off the queue.
    await eventually('the queue to drain', async () => (await stats(a.client)).in_queue === 0, 10_000)
    const up = await stats(a.client)
    assert.equal(up.recoveries, 1)
    assert.equal(up.recoveries_pending, 0)
    assert.equal(up.in_queue, 0)
    assert.ok(up.success! >= 1500, `${up.success}`)
    await a.server.stop()
    await b.server.stop()
  })

  it('get-config and get-stats answer for the xdr context as Aerospike\'s do, and name what is missing', async () => {
    const b = await node(0)
    const a = await node(0, ['src-id 3', ...dcTo(b.server.port, 'bin-policy all', 'write-policy replace')])
    const info = (command: string): Promise<string> => infoValue(a.server, command)
    assert.equal(await info('get-config:context=xdr'), 'dcs=dc2;src-id=3;trace-fraction=0')
    assert.match(await info('get-config:context=xdr;dc=dc2'), new RegExp(`^node-address-ports=127\\.0\\.0\\.1:${b.server.port};.*period-ms=20;namespaces=test$`))
    assert.match(await info('get-config:context=xdr;dc=dc2;namespace=test'), /^enabled=true;bin-policy=all;.*write-policy=replace$/)
    assert.match(await info('get-stats:context=xdr;dc=dc2;namespace=test'), /^lag=0;in_queue=0;in_progress=0;success=0;abandoned=0;not_found=0;filtered_out=0;retry_conn_reset=0;retry_dest=0;retry_no_node=0;recoveries=0;recoveries_pending=0;hot_keys=0;throughput=0;latency_ms=0$/)
    assert.match(await info('get-stats:context=xdr;dc=nope'), /^ERROR:4:DC nope not found \(DCs: dc2\)$/)
    assert.match(await info('get-stats:context=xdr'), /^ERROR:4:missing dc=NAME$/)
    assert.match(await info('get-stats:context=xdr;dc=dc2;namespace=other'), /^ERROR:4:namespace other is not shipped to DC dc2$/)
    assert.match(await info('get-stats:context=bogus'), /^ERROR:4:get-stats context "bogus" is not supported/)
    await a.server.stop()
    await b.server.stop()
  })

  it('set-config:context=xdr creates a DC, adds seeds and namespaces (rewind ships what exists), changes settings and removes them', async () => {
    const b = await node(0)
    const a = await node(0)
    const info = (command: string): Promise<string> => infoValue(a.server, command)
    for (let i = 0; i < 30; i++) await a.client.put(new Aerospike.Key('test', 'old', i), { i })
    for (const command of [
      'set-config:context=xdr;dc=dc2;action=create',
      `set-config:context=xdr;dc=dc2;node-address-port=127.0.0.1:${b.server.port};action=add`,
      'set-config:context=xdr;dc=dc2;period-ms=20',
      'set-config:context=xdr;dc=dc2;namespace=test;action=add;rewind=all',
      'set-config:context=xdr;src-id=7',
    ]) assert.equal(await info(command), 'ok', command)
    await eventually('rewind=all to ship the records written before', async () => (await b.client.scan('test', 'old').results()).length === 30)
    assert.equal(await info('get-config:context=xdr'), 'dcs=dc2;src-id=7;trace-fraction=0')
    assert.match(await info('get-config:context=xdr;dc=dc2'), new RegExp(`^node-address-ports=127\\.0\\.0\\.1:${b.server.port};.*period-ms=20;namespaces=test$`))
    // A new write ships; then settings change what ships.
    await a.client.put(new Aerospike.Key('test', 'new', 1), { v: 1 })
    await eventually('a write after the add to ship', () => exists(b.client, new Aerospike.Key('test', 'new', 1)))
    for (const command of [
      'set-config:context=xdr;dc=dc2;namespace=test;ship-only-specified-sets=true',
      'set-config:context=xdr;dc=dc2;namespace=test;ship-set=keep',
      'set-config:context=xdr;dc=dc2;namespace=test;ship-set=gone;action=add',
      'set-config:context=xdr;dc=dc2;namespace=test;ship-set=gone;action=remove',
      'set-config:context=xdr;dc=dc2;namespace=test;remote-namespace=other',
    ]) assert.equal(await info(command), 'ok', command)
    assert.match(await info('get-config:context=xdr;dc=dc2;namespace=test'), /;remote-namespace=other;.*;ship-only-specified-sets=true;ship-sets=keep;/)
    await a.client.put(new Aerospike.Key('test', 'skip', 1), { v: 1 })
    await a.client.put(new Aerospike.Key('test', 'keep', 1), { v: 1 })
    await eventually('the shipped set to arrive in the remote namespace', () => exists(b.client, new Aerospike.Key('other', 'keep', 1)))
    assert.equal(await exists(b.client, new Aerospike.Key('other', 'skip', 1)), false)
    // Bad input is answered, naming the problem, and changes nothing.
    for (const [command, error] of [
      ['set-config:context=xdr;dc=dc2;action=create', /^ERROR:4:DC dc2 exists already$/],
      ['set-config:context=xdr;dc=bad.name;action=create', /^ERROR:4:dc name "bad\.name" must be/],
      ['set-config:context=xdr;dc=dc9;namespace=test;action=add', /^ERROR:4:DC dc9 not found/],
      ['set-config:context=xdr;dc=dc2;namespace=nope;action=add', /^ERROR:20:namespace nope is not configured on this node$/],
      ['set-config:context=xdr;dc=dc2;namespace=test;action=add', /^ERROR:4:namespace test is shipped to DC dc2 already$/],
      ['set-config:context=xdr;dc=dc2;namespace=other;max-throughput=5', /^ERROR:4:namespace other is not shipped to DC dc2/],
      ['set-config:context=xdr;dc=dc2;namespace=test;delay-ms=99999', /^ERROR:4:delay-ms "99999" is out of range \(allowed: 0 to 5000\)$/],
      ['set-config:context=xdr;dc=dc2;namespace=test;bin-policy=some', /^ERROR:4:bin-policy "some" is not one of all, no-bins/],
      ['set-config:context=xdr;dc=dc2;namespace=test;ship-set=never;action=remove', /^ERROR:4:ship-set "never" is not in the list \(keep\)$/],
      ['set-config:context=xdr;dc=dc2;namespace=test;colour=blue', /^ERROR:4:"colour" cannot be changed at run time$/],
      ['set-config:context=xdr;dc=dc2;namespace=other;action=add;rewind=soon', /^ERROR:4:rewind "soon" is not "all" or a number of seconds$/],
      ['set-config:context=xdr;dc=dc2;period-ms=1', /^ERROR:4:period-ms "1" is out of range/],
      ['set-config:context=xdr;dc=dc2;node-address-port=nowhere;action=add', /^ERROR:4:node-address-port "nowhere" is not HOST:PORT/],
      ['set-config:context=xdr;dc=dc2;node-address-port=127.0.0.1:1;action=remove', /^ERROR:4:DC dc2 has no seed 127\.0\.0\.1:1$/],
      ['set-config:context=xdr;src-id=300', /^ERROR:4:src-id "300" is out of range/],
      ['set-config:context=xdr', /^ERROR:4:set-config:context=xdr needs dc=NAME or a setting/],
    ] as const) assert.match(await info(command), error, command)
    assert.match(await info('get-config:context=xdr;dc=dc2;namespace=test'), /;delay-ms=0;/)
    // Removing the namespace stops its shipping; deleting the DC removes it.
    assert.equal(await info('set-config:context=xdr;dc=dc2;namespace=test;action=remove'), 'ok')
    assert.match(await info('get-config:context=xdr;dc=dc2'), /;namespaces=$/)
    await a.client.put(new Aerospike.Key('test', 'keep', 2), { v: 2 })
    assert.equal(await info('set-config:context=xdr;dc=dc2;action=delete'), 'ok')
    assert.equal(await info('get-config:context=xdr'), 'dcs=;src-id=7;trace-fraction=0')
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(await exists(b.client, new Aerospike.Key('other', 'keep', 2)), false, 'nothing ships after the namespace was removed')
    await a.server.stop()
    await b.server.stop()
  })
})
