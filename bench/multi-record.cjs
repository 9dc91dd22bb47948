// Multi-record throughput seen by the official client: batch reads of 1000 keys, a scan and an
// index query over 200,000 records. Usage: start a node (npx aerolite start --port P), then
// node bench/multi-record.cjs P. Figures: bench/results/multi-record.md.
const Aerospike = require('aerospike')
;(async () => {
  const port = Number(process.argv[2])
  const client = await Aerospike.connect({ hosts: `127.0.0.1:${port}`, log: { level: Aerospike.log.OFF } })
  const N = 200000
  const keys = []
  for (let i = 0; i < N; i++) keys.push(new Aerospike.Key('test', 'perf', i))
  // load with batch writes of 1000
  let t = Date.now()
  for (let i = 0; i < N; i += 1000) {
    await client.batchWrite(keys.slice(i, i + 1000).map((key) => ({ type: Aerospike.batchType.BATCH_WRITE, key, ops: [Aerospike.operations.write('i', i), Aerospike.operations.write('s', 'x'.repeat(20))] })))
  }
  console.log(`load: ${N} records in ${Date.now() - t} ms`)
  // batch reads of 1000 keys
  t = Date.now()
  let rows = 0
  for (let r = 0; r < 100; r++) {
    const start = (r * 1000) % N
    const res = await client.batchRead(keys.slice(start, start + 1000).map((key) => ({ key, readAllBins: true })))
    rows += res.length
  }
  let ms = Date.now() - t
  console.log(`batchRead of 1000 keys: ${rows} rows in ${ms} ms = ${Math.round(rows / ms * 1000)} rows/s (${(ms / 100).toFixed(1)} ms per batch)`)
  // scan
  t = Date.now()
  let scanned = 0
  await new Promise((resolve, reject) => { const s = client.scan('test', 'perf').foreach(); s.on('data', () => scanned++); s.on('end', resolve); s.on('error', reject) })
  ms = Date.now() - t
  console.log(`scan: ${scanned} records in ${ms} ms = ${Math.round(scanned / ms * 1000)} records/s`)
  // index query
  await (await client.createIntegerIndex({ ns: 'test', set: 'perf', bin: 'i', index: 'perf_i' })).wait()
  t = Date.now()
  let found = 0
  const q = client.query('test', 'perf'); q.where(Aerospike.filter.range('i', 0, N))
  await new Promise((resolve, reject) => { const s = q.foreach(); s.on('data', () => found++); s.on('end', resolve); s.on('error', reject) })
  ms = Date.now() - t
  console.log(`index query (range over all): ${found} records in ${ms} ms = ${Math.round(found / ms * 1000)} records/s`)
  await client.close()
})().catch((e) => { console.error(e); process.exit(1) })
