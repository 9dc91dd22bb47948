#!/usr/bin/env node
// Server CPU per operation of two checkouts of Aerolite, measured alternately on one machine:
//
//   node bench/ab.mjs --base DIR [--rounds 5] [--seconds 15] [--connections 50] [--label NAME] [--out bench/results]
//                     [--base-node-flags FLAGS] [--head-node-flags FLAGS]
//
// DIR is another checkout (e.g. `git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci)`).
// Each round starts a server from one checkout, loads 100k keys, runs `aerolite bench` RU,50 with
// 1 KiB values and reads the server's CPU time from /proc; then the same for the other checkout.
// The order alternates between rounds, the load generator is always this checkout's, and the
// report gives the median, min and max of each side and the ratio of the medians. Single runs on
// small machines vary by 10-40%: only medians of alternating runs compare. The node flags options
// start a side's server with V8 flags (none by default); with --base set to this checkout, they
// compare flags on the same code.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cliOf } from './checkout.mjs'
import { freePort } from './free-port.mjs'
import { log, run, startProcess, stopProcess } from './processes.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const argv = process.argv.slice(2)
function option(name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i < 0 ? fallback : argv[i + 1]
}
const BASE = option('base', undefined)
const ROUNDS = Number(option('rounds', '5'))
const SECONDS = Number(option('seconds', '15'))
const CONNECTIONS = Number(option('connections', '50'))
const LABEL = option('label', 'ab')
const nodeFlagsOf = (side) => option(`${side}-node-flags`, '').split(' ').filter(Boolean)
const OUT = resolve(ROOT, option('out', 'bench/results'))
if (BASE === undefined || !(ROUNDS >= 1 && ROUNDS <= 50) || !(SECONDS > 0 && SECONDS <= 120) || !(CONNECTIONS >= 1 && CONNECTIONS <= 512)) {
  console.error('usage: node bench/ab.mjs --base DIR [--rounds 1..50] [--seconds 1..120] [--connections 1..512] [--label NAME] [--out DIR] [--base-node-flags FLAGS] [--head-node-flags FLAGS]')
  process.exit(2)
}
const KEYS = 100_000
const LIMIT_MS = SECONDS * 4_000 + 120_000
const cli = cliOf
const commitOf = (dir) => spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown'
const sides = [
  { name: 'base', dir: resolve(BASE) },
  { name: 'head', dir: ROOT },
].map((side) => ({ ...side, commit: commitOf(side.dir), nodeFlags: nodeFlagsOf(side.name) }))

async function startServer(side) {
  const port = await freePort()
  const args = [...side.nodeFlags, cli(side.dir), 'start', '--port', String(port), '--log-level', 'warn']
  const child = await startProcess(process.execPath, args, /aerolite ready on /, `${side.name} server`, { cwd: side.dir })
  return { child, port }
}

async function bench(port, args, serverPid) {
  const json = join(OUT, 'raw', `${LABEL}-run.json`)
  const full = [cli(ROOT), 'bench', '--port', String(port), ...args, '--json', json]
  if (serverPid !== undefined) full.push('--server-pid', String(serverPid))
  const result = await run(process.execPath, full, { limitMs: LIMIT_MS })
  if (result.code !== 0) throw new Error(`aerolite bench exited ${result.code}: ${result.stderr.trim()}`)
  return JSON.parse(readFileSync(json, 'utf8'))
}

async function measure(side) {
  const server = await startServer(side)
  try {
    await bench(server.port, ['--workload', 'I', '--keys', String(KEYS), '--bins', 'B1024', '--connections', '50', '--duration', '120'])
    const report = await bench(server.port, [
      '--workload', 'RU,50', '--keys', String(KEYS), '--bins', 'B1024', '--connections', String(CONNECTIONS), '--inflight', '1',
      '--duration', String(SECONDS), '--ops', String(200_000 * SECONDS),
    ], server.child.pid)
    return { serverCpuMicrosPerOp: report.serverCpuMicrosPerOp, opsPerSecond: report.opsPerSecond, p99Ms: report.latencyMs.all.p99, errors: report.totals.errors }
  } finally {
    await stopProcess(server.child)
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const summary = (runs, key) => ({ median: median(runs.map((r) => r[key])), min: Math.min(...runs.map((r) => r[key])), max: Math.max(...runs.map((r) => r[key])) })

async function main() {
  mkdirSync(join(OUT, 'raw'), { recursive: true })
  const started = new Date()
  // The first start of a checkout may build its bundle: not part of any measurement.
  for (const side of sides) await stopProcess((await startServer(side)).child)
  const runs = { base: [], head: [] }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse()
    for (const side of order) {
      const result = await measure(side)
      runs[side.name].push(result)
      log(`round ${round + 1} ${side.name}: ${result.serverCpuMicrosPerOp.toFixed(1)} µs/op server CPU, ${Math.round(result.opsPerSecond)} ops/s, p99 ${result.p99Ms} ms`)
    }
  }
  const results = {
    date: started.toISOString(),
    command: `node bench/ab.mjs ${argv.join(' ')}`,
    loadAverageAtEnd: loadavg(),
    settings: { workload: 'RU,50', keys: KEYS, valueBytes: 1024, connections: CONNECTIONS, inflightPerConnection: 1, secondsPerRun: SECONDS, rounds: ROUNDS },
    sides: Object.fromEntries(sides.map((s) => [s.name, { dir: s.dir === ROOT ? '.' : s.dir, commit: s.commit, nodeFlags: s.nodeFlags, cpu: summary(runs[s.name], 'serverCpuMicrosPerOp'), opsPerSecond: summary(runs[s.name], 'opsPerSecond'), runs: runs[s.name] }])),
  }
  results.headOverBaseCpu = results.sides.head.cpu.median / results.sides.base.cpu.median
  const file = join(OUT, `${LABEL}.json`)
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n')
  const line = (name) => {
    const s = results.sides[name]
    return `| ${name} | ${s.cpu.median.toFixed(1)} | ${s.cpu.min.toFixed(1)}-${s.cpu.max.toFixed(1)} | ${Math.round(s.opsPerSecond.median)} |`
  }
  process.stdout.write(`\n| checkout | server CPU µs/op (median) | min-max | ops/s (median) |\n|---|---:|---:|---:|\n${line('base')}\n${line('head')}\n\nhead/base CPU per op: ${results.headOverBaseCpu.toFixed(3)}; written to ${relative(ROOT, file)}\n`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
