// Cluster figures of real processes (etcd + `aerolite start` nodes, as `aerolite cluster up` runs
// them), one measurement at a time:
//   join        a third node joins a two-node cluster (replication factor 2) holding --records
//               records: time from its start until the cluster is stable again, and the records
//               per second migrations moved;
//   throughput  `aerolite bench` (RU,50) for --seconds against clusters of 1, 2 and 3 nodes with a
//               fresh partition map: ops/s and the proxies the nodes made (0 expected).
// On 2 cores the throughput figures show the cost of routing and replication, not scaling.
//
//   node --import tsx bench/cluster.mjs [--records 1000000] [--seconds 15] [--out bench/results/cluster.json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Connection, requestInfo } from '@aerolite/client'
import { realEnv } from '@aerolite/server'
import { log, run, startProcess, stopProcess } from './processes.mjs'

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '15' }, out: { type: 'string', default: 'bench/results/cluster.json' } } })
const RECORDS = Number(values.records)
const SECONDS = Number(values.seconds)
const CLI = 'packages/cli/bin/aerolite.cjs'
const PORT = 3400

async function info(port, command) {
  const connection = await Connection.open('127.0.0.1', port, { env: realEnv })
  try {
    return (await requestInfo(connection, [command])).get(command) ?? ''
  } finally {
    connection.destroy()
  }
}

function statistic(statistics, name) {
  return Number(statistics.split(';').find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1) ?? NaN)
}

async function stableAt(ports, size, limitMs) {
  const deadline = Date.now() + limitMs
  for (;;) {
    const answers = await Promise.all(ports.map((p) => info(p, `cluster-stable:size=${size}`).catch(() => 'ERROR')))
    if (answers.every((a) => a !== '' && !a.startsWith('ERROR'))) return
    if (Date.now() > deadline) throw new Error(`cluster of ${size} not stable within ${limitMs} ms: ${answers.join(' | ')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function clusterUp(dir, nodes, replicationFactor) {
  const up = await run(process.execPath, [CLI, 'cluster', 'up', '--nodes', String(nodes), '--port', String(PORT), '--replication-factor', String(replicationFactor), '--data-dir', dir], { limitMs: 120_000 })
  if (up.code !== 0) throw new Error(`cluster up failed: ${up.stderr}${up.stdout}`)
}

async function clusterDown(dir) {
  await run(process.execPath, [CLI, 'cluster', 'down', '--data-dir', dir], { limitMs: 60_000 })
}

async function bench(args, limitMs) {
  const result = await run(process.execPath, [CLI, 'bench', '--port', String(PORT), ...args], { limitMs })
  if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}${result.stdout}`)
  return result.stdout
}

async function measureJoin() {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-bench-join-'))
  try {
    await clusterUp(dir, 2, 2)
    log(`loading ${RECORDS} records into a 2-node cluster`)
    await bench(['--workload', 'I', '--keys', String(RECORDS), '--bins', 'B100', '--connections', '8', '--inflight', '8'], 30 * 60_000)
    const etcdPort = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')).etcd.clientPort
    log('starting a third node')
    const started = Date.now()
    const third = await startProcess(process.execPath, [CLI, 'start', '--config', join(dir, 'node-1.conf'), '--port', String(PORT + 2), '--address', '127.0.0.1', '--etcd', `127.0.0.1:${etcdPort}`, '--fabric-port', '0'], /ready/, 'the third node')
    try {
      await stableAt([PORT, PORT + 1, PORT + 2], 3, 30 * 60_000)
      const seconds = (Date.now() - started) / 1000
      const received = statistic(await info(PORT + 2, 'statistics'), 'migrate_records_received')
      const objects = (await Promise.all([PORT, PORT + 1, PORT + 2].map(async (p) => statistic(await info(p, 'statistics'), 'objects')))).reduce((a, b) => a + b, 0)
      log(`join: stable after ${seconds.toFixed(1)} s; the new node received ${received} records (${Math.round(received / seconds)} records/s); ${objects} objects in all (${2 * RECORDS} expected)`)
      return { records: RECORDS, secondsToStable: seconds, recordsReceived: received, recordsPerSecond: received / seconds, objects }
    } finally {
      await stopProcess(third)
    }
  } finally {
    await clusterDown(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

async function measureThroughput(nodes) {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-bench-nodes-'))
  try {
    await clusterUp(dir, nodes, Math.min(2, nodes))
    await bench(['--workload', 'I', '--keys', '100000', '--connections', '8', '--inflight', '8'], 10 * 60_000)
    const ports = Array.from({ length: nodes }, (_, i) => PORT + i)
    const proxiesBefore = await proxies(ports)
    const out = await bench(['--workload', 'RU,50', '--keys', '100000', '--duration', String(SECONDS), '--connections', '16'], (SECONDS + 60) * 1000)
    const opsPerSecond = Number(/= (\d+) ops\/s/.exec(out)?.[1] ?? NaN)
    const proxied = (await proxies(ports)) - proxiesBefore
    log(`${nodes} node(s): ${opsPerSecond} ops/s, ${proxied} proxied`)
    return { nodes, replicationFactor: Math.min(2, nodes), opsPerSecond, proxied }
  } finally {
    await clusterDown(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

async function proxies(ports) {
  let sum = 0
  for (const port of ports) {
    const s = await info(port, 'statistics')
    sum += statistic(s, 'client_proxy_complete') + statistic(s, 'client_proxy_error') + statistic(s, 'client_proxy_timeout')
  }
  return sum
}

const results = { date: new Date().toISOString(), machine: { cpu: cpus()[0]?.model, cpus: cpus().length, memoryBytes: totalmem(), node: process.version }, command: `node --import tsx bench/cluster.mjs --records ${RECORDS} --seconds ${SECONDS}` }
results.join = await measureJoin()
results.throughput = []
for (const nodes of [1, 2, 3]) results.throughput.push(await measureThroughput(nodes))
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`)
log(`wrote ${values.out}`)
