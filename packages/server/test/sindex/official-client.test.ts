// Secondary indexes and jobs through the official Node client (npm aerospike 6.7.1): index
// create / wait / drop, queries of each kind, pagination, background ops with job polling, and the
// error a query on a missing index gets.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Aerospike, NS, startHarness, type Harness } from '../../../../test/compat/helpers.ts'

const SET = `sindex-${process.pid}`
let h: Harness

before(async () => {
  h = await startHarness()
  const puts = []
  for (let i = 0; i < 30; i++) {
    const bins = { i, name: i % 3 === 0 ? 'three' : 'other', li: [i, i * 10], loc: new Aerospike.GeoJSON({ type: 'Point', coordinates: [100 + i * 0.01, 1] }) }
    puts.push(h.client.put(new Aerospike.Key(NS, SET, `k${i}`), bins, {}, new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND })))
  }
  await Promise.all(puts)
})

after(async () => h.stop())

async function createAndWait(options: Record<string, unknown>): Promise<void> {
  const job = await h.client.createIndex({ ns: NS, set: SET, ...options } as never)
  await job.wait(10)
}

test('index create, info, query by bin and by name, drop', { timeout: 15_000 }, async () => {
  await createAndWait({ bin: 'i', index: 'sx_i', datatype: Aerospike.indexDataType.NUMERIC })
  await createAndWait({ bin: 'name', index: 'sx_name', datatype: Aerospike.indexDataType.STRING })
  const stat = await h.client.infoAny(`sindex-stat:namespace=${NS};indexname=sx_i`)
  assert.match(stat, /entries=30;.*load_pct=100/)
  assert.match(await h.client.infoAny(`sindex-list:namespace=${NS}`), /indexname=sx_i:set=[^:]+:bin=i:type=numeric:indextype=default/)

  const range = await h.client.query(NS, SET, { filters: [Aerospike.filter.range('i', 10, 14)] }).results()
  assert.deepEqual(range.map((r) => r.bins.i).sort((a, b) => Number(a) - Number(b)), [10, 11, 12, 13, 14])
  const named = h.client.query(NS, SET)
  named.whereWithIndexName(Aerospike.filter.equal(null as never, 'three'), 'sx_name')
  assert.equal((await named.results()).length, 10)

  await h.client.indexRemove(NS, 'sx_name')
  await assert.rejects(h.client.query(NS, SET, { filters: [Aerospike.filter.equal('name', 'three')] }).results(), (err: { code: number }) => err.code === 201)
})

test('list and geo queries, and pagination with max records', { timeout: 15_000 }, async () => {
  await createAndWait({ bin: 'li', index: 'sx_li', type: Aerospike.indexType.LIST, datatype: Aerospike.indexDataType.NUMERIC })
  await createAndWait({ bin: 'loc', index: 'sx_loc', datatype: Aerospike.indexDataType.GEO2DSPHERE })
  const contains = await h.client.query(NS, SET, { filters: [Aerospike.filter.contains('li', 70, Aerospike.indexType.LIST)] }).results()
  assert.deepEqual(contains.map((r) => r.bins.i), [7])
  const near = await h.client.query(NS, SET, { filters: [Aerospike.filter.geoWithinRadius('loc', 100.05, 1, 2000)] }).results()
  assert.ok(near.length >= 3 && near.every((r) => Math.abs(Number(r.bins.i) - 5) <= 2), `points near 100.05: ${near.map((r) => r.bins.i)}`)

  // A record under several keys of a list index may come again on a later page (as in Aerospike);
  // each page resumes after the last (digest, key) of each partition, so none is lost.
  const listPager = h.client.query(NS, SET, { paginate: true, maxRecords: 4, filters: [Aerospike.filter.range('li', 0, 1000, Aerospike.indexType.LIST)] })
  const listSeen = new Set<number>()
  for (let page = 0; page < 30; page++) {
    for (const r of await listPager.results()) listSeen.add(Number(r.bins.i))
    if (!listPager.hasNextPage()) break
  }
  assert.equal(listSeen.size, 30)

  await createAndWait({ bin: 'i', index: 'sx_i_pages', datatype: Aerospike.indexDataType.NUMERIC })
  const pager = h.client.query(NS, SET, { paginate: true, maxRecords: 4, filters: [Aerospike.filter.range('i', 0, 1000)] })
  const seen: number[] = []
  for (let page = 0; page < 20; page++) {
    const records = await pager.results()
    assert.ok(records.length <= 4)
    seen.push(...records.map((r) => Number(r.bins.i)))
    if (!pager.hasNextPage()) break
  }
  assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i))
})

test('background query with write ops runs as a job', { timeout: 15_000 }, async () => {
  await createAndWait({ bin: 'i', index: 'sx_i2', datatype: Aerospike.indexDataType.NUMERIC })
  const query = h.client.query(NS, SET, { filters: [Aerospike.filter.range('i', 0, 9)] })
  const job = await query.operate([Aerospike.operations.write('bg', 1)])
  await job.waitUntilDone(20)
  const info = await job.info()
  assert.equal(info.recordsRead, 10)
  const record = await h.client.get(new Aerospike.Key(NS, SET, 'k3'))
  assert.equal(record.bins.bg, 1)
  const untouched = await h.client.get(new Aerospike.Key(NS, SET, 'k20'))
  assert.equal(untouched.bins.bg, undefined)
  await assert.rejects(h.client.query(NS, SET).operate([Aerospike.operations.read('i')]))
  // A set the node does not know makes a job that is done at once, not an error.
  const none = await h.client.query(NS, `${SET}-none`).operate([Aerospike.operations.write('bg', 1)])
  await none.waitUntilDone(20)
})
