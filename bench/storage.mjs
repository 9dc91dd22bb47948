#!/usr/bin/env node
// The storage engine from outside, against `aerolite start` processes on free ports:
//
//   rss         RSS growth per record loading N records (one integer bin, one 20-byte string bin)
//               into a memory namespace and into a device (file) namespace: VmRSS of the node
//               1 s after start and 2 s after the load, (after - before) / N
//   throughput  the same loads' insert rate; file engine relative to memory engine
//   restart     the device namespace stopped cleanly (SIGTERM: index snapshot) and restarted
//               (fast restart), then killed (-9) and restarted (cold start: every block scanned);
//               spawn -> ready line, and the node's own "storage: ... start" duration
//   defrag      an overwrite load (RU,0) on a device namespace with defrag on (defrag-lwm-pct 50,
//               a file a few times the live data) and off (defrag-lwm-pct 0, a large sparse
//               file): write p50/p99 and the disk/live ratio at the end
//
// Usage: node bench/storage.mjs [--records N] [--seconds S] [--out FILE]
//        (defaults: 1000000, 20, bench/results/storage.json)
// The machine may be shared: run it more than once and compare ratios from one run.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../packages/cli/bin/aerolite.cjs', import.meta.url))
const Aerospike = createRequire(import.meta.url)('aerospike')

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback
}
const records = Number(option('records', '1000000'))
const seconds = Number(option('seconds', '20'))
const outFile = option('out', fileURLToPath(new URL('results/storage.json', import.meta.url)))
const dir = mkdtempSync(join(tmpdir(), 'aerolite-storage-bench-'))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function writeConfig(name, storageLines) {
  const path = join(dir, `${name}.conf`)
  writeFileSync(path, ['namespace test {', '  nsup-period 0', `  storage-engine ${storageLines[0]} {`, ...storageLines.slice(1).map((l) => `    ${l}`), '  }', '}', ''].join('\n'))
  return path
}

/** Starts a node; resolves with its pid, port, spawn->ready ms and the log lines it wrote. */
function startNode(config) {
  const startedMs = performance.now()
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--config', config, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const log = []
  let out = ''
  let err = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node not ready within 120 s\n${err.slice(-2000)}`))
    }, 120_000)
    child.stderr.on('data', (chunk) => {
      err += chunk
      const lines = err.split('\n')
      err = lines.pop()
      for (const line of lines) {
        try {
          log.push(JSON.parse(line))
        } catch {
          // not a log line
        }
      }
    })
    child.stdout.on('data', (chunk) => {
      out += chunk
      const ready = /ready on [\d.]+:(\d+)/.exec(out)
      if (ready) {
        clearTimeout(timer)
        resolve({ child, pid: child.pid, port: Number(ready[1]), readyMs: performance.now() - startedMs, log })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node exited with ${code}\n${err.slice(-2000)}`))
    })
  })
}

function stopNode(node, signal) {
  return new Promise((resolve) => {
    node.child.removeAllListeners('exit')
    const timer = setTimeout(() => node.child.kill('SIGKILL'), 120_000)
    node.child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    node.child.kill(signal)
  })
}

function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(/(\d+)/.exec(line)[1]) * 1024
}

function bench(port, args) {
  const json = join(dir, `bench-${Date.now()}.json`)
  execFileSync(process.execPath, [BIN, 'bench', '--port', String(port), '--bins', 'I,S20', '--connections', '32', '--json', json, ...args], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30 * 60_000 })
  return JSON.parse(readFileSync(json, 'utf8'))
}

async function namespaceStats(port) {
  const client = await Aerospike.connect({ hosts: `127.0.0.1:${port}` })
  try {
    const text = await client.infoAny('namespace/test')
    const body = text.slice(text.indexOf('\t') + 1).trim()
    return Object.fromEntries(body.split(';').map((kv) => kv.split('=')))
  } finally {
    client.close()
  }
}

async function load(name, storageLines) {
  const node = await startNode(writeConfig(name, storageLines))
  await sleep(1000)
  const before = rssBytes(node.pid)
  const report = bench(node.port, ['--workload', 'I', '--keys', String(records)])
  await sleep(2000)
  const after = rssBytes(node.pid)
  const stats = await namespaceStats(node.port)
  console.log(`${name}: ${report.opsPerSecond.toFixed(0)} inserts/s, RSS +${((after - before) / records).toFixed(1)} B/record, objects ${stats.objects}`)
  return {
    node,
    result: {
      rssBeforeBytes: before, rssAfterBytes: after, rssPerRecordBytes: (after - before) / records,
      insertsPerSecond: report.opsPerSecond, writeLatencyMs: report.latencyMs.writes,
      objects: Number(stats.objects), indexUsedBytes: Number(stats.index_used_bytes), dataUsedBytes: Number(stats.data_used_bytes),
    },
  }
}

function restoreLine(node) {
  const line = node.log.find((l) => typeof l.msg === 'string' && l.msg.startsWith('storage: '))
  return line === undefined ? undefined : { mode: line.mode, durationMs: line.durationMs, objects: line.objects, blocks: line.blocks }
}

async function overwrite(name, storageLines) {
  const node = await startNode(writeConfig(name, storageLines))
  const keys = 100_000
  bench(node.port, ['--workload', 'I', '--keys', String(keys), '--bins', 'B1024'])
  const report = bench(node.port, ['--workload', 'RU,0', '--keys', String(keys), '--bins', 'B1024', '--duration', String(seconds)])
  const stats = await namespaceStats(node.port)
  await stopNode(node, 'SIGTERM')
  const blocks = Number(stats['storage-engine.write_blocks'])
  const live = Number(stats.data_used_bytes)
  const result = {
    writesPerSecond: report.writesPerSecond, writeLatencyMs: report.latencyMs.writes,
    defragWrites: Number(stats['storage-engine.defrag_writes']), writeBlocks: blocks, dataUsedBytes: live,
    diskToLiveRatio: (blocks * 1024 * 1024) / live,
  }
  console.log(`${name}: ${report.writesPerSecond.toFixed(0)} writes/s, p50 ${report.latencyMs.writes.p50.toFixed(3)} ms, p99 ${report.latencyMs.writes.p99.toFixed(3)} ms, disk/live ${result.diskToLiveRatio.toFixed(2)}`)
  return result
}

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cpus: cpus().length, memoryBytes: totalmem(), os: `${platform()} ${release()} ${arch()}`, node: process.version },
  note: "Server, load generator and anything else running share the machine's cores: figures are noisy; compare ratios within one run.",
  records,
}
try {
  const memory = await load('memory', ['memory', 'data-size 4G'])
  await stopNode(memory.node, 'SIGTERM')
  const device = await load('device', ['device', `file ${join(dir, 'device.dat')}`, 'filesize 4G'])
  results.memory = memory.result
  results.device = device.result
  results.fileToMemoryThroughput = device.result.insertsPerSecond / memory.result.insertsPerSecond
  console.log(`file engine / memory engine insert rate: ${results.fileToMemoryThroughput.toFixed(2)}`)

  await stopNode(device.node, 'SIGTERM')
  const fast = await startNode(writeConfig('device', ['device', `file ${join(dir, 'device.dat')}`, 'filesize 4G']))
  results.fastRestart = { spawnToReadyMs: fast.readyMs, ...restoreLine(fast) }
  await stopNode(fast, 'SIGKILL')
  const cold = await startNode(writeConfig('device', ['device', `file ${join(dir, 'device.dat')}`, 'filesize 4G']))
  results.coldStart = { spawnToReadyMs: cold.readyMs, ...restoreLine(cold) }
  await stopNode(cold, 'SIGTERM')
  console.log(`fast restart: ${results.fastRestart.spawnToReadyMs.toFixed(0)} ms to ready (${results.fastRestart.durationMs} ms restoring); cold start: ${results.coldStart.spawnToReadyMs.toFixed(0)} ms (${results.coldStart.durationMs} ms)`)
  rmSync(join(dir, 'device.dat'), { force: true })

  results.defrag = {
    on: await overwrite('defrag-on', ['device', `file ${join(dir, 'on.dat')}`, 'filesize 512M', 'defrag-lwm-pct 50']),
    off: await overwrite('defrag-off', ['device', `file ${join(dir, 'off.dat')}`, 'filesize 16G', 'defrag-lwm-pct 0']),
  }
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n')
  console.log(`wrote ${outFile}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
