#!/usr/bin/env node
// The performance baseline, in one command, in a few minutes (see bench/README.md):
//
//   node bench/run.mjs [--seconds 15] [--records 1000000] [--out bench/results] [--no-profile] [--no-redis]
//                      [--repeat N] [--trace-gc] [--keys 100000] [--upper-bound-reads stream|slab]
//                      [--node-flags "--single-threaded-gc"] [--upper-bound-node-flags "..."]
//
// In one run on this machine it measures, each against a server process it starts and stops:
//   1. Aerolite, one node, `aerolite bench` RU,50, 100k keys (--keys), 1 KiB blob, 50 connections x 1 in
//      flight (and again with 8 connections, for the p99 goal);
//   2. Redis 7 (Debian package) with redis-benchmark at the same settings (SET and GET);
//   3. the upper bound: bench/upper-bound-server.mjs driven by the same generator;
//   4. RSS bytes per record after loading --records records (integer bin + 20-byte string);
//   5. a CPU profile of Aerolite under the workload of 1 (`node --cpu-prof`), top self-time spots.
// Server CPU per operation comes from /proc/<pid>/stat (utime + stime) over each run.
// --repeat N runs Aerolite (50 connections) and the upper bound alternately N times and reports
// the medians and the spread; --trace-gc runs both servers with V8's --trace-gc and reports the
// count and the longest of the GC pauses during each timed run. Both servers run with the V8 flags
// of a serving node (--node-flags, by default those of packages/cli/src/serving-node-flags.ts);
// --upper-bound-node-flags gives the upper bound others (its own best, say).
// Every load loop is bounded by a duration and an operation count, every child process by a kill
// timer. Results: bench/results/baseline.{json,md,svg} and bench/results/raw/*.json.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { summariseProfile } from './profile-summary.mjs'
import { renderChart } from './chart.mjs'
import { renderMarkdown } from './report-markdown.mjs'
import { freePort } from './free-port.mjs'
import { namespaceConfig } from './namespace-config.mjs'
import { cpuMicros, log, procStatus, run as runBounded, sleep, startProcess, stopProcess } from './processes.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'packages/cli/bin/aerolite.cjs')
const UPPER_BOUND = join(ROOT, 'bench/upper-bound-server.mjs')

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2)
function option(name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i < 0 ? fallback : argv[i + 1]
}
const SECONDS = Number(option('seconds', '15'))
const RECORDS = Number(option('records', '1000000'))
/** Keys of the throughput runs (preloaded into Aerolite first). */
const KEYS = Number(option('keys', '100000'))
const OUT = resolve(ROOT, option('out', 'bench/results'))
const PROFILE = !argv.includes('--no-profile')
const REDIS = !argv.includes('--no-redis')
const REPEAT = Number(option('repeat', '1'))
const TRACE_GC = argv.includes('--trace-gc')
/** The flags the image and `aerolite cluster` start a node with (packages/cli/src/serving-node-flags.ts; a test checks they agree). */
const SERVING_NODE_FLAGS = ['--single-threaded-gc', '--min-semi-space-size=8']
const NODE_FLAGS = option('node-flags', SERVING_NODE_FLAGS.join(' ')).split(' ').filter(Boolean)
/** The upper bound's own V8 flags when they should differ (its best ones, say); by default the same. */
const UPPER_BOUND_NODE_FLAGS = option('upper-bound-node-flags', NODE_FLAGS.join(' ')).split(' ').filter(Boolean)
/** How the upper bound reads its sockets: Node's stream (the upper bound) or Aerolite's slabs. */
const UPPER_BOUND_READS = option('upper-bound-reads', 'stream')
if (!(SECONDS > 0 && SECONDS <= 120) || !(RECORDS > 0 && RECORDS <= 10_000_000) || !(Number.isInteger(REPEAT) && REPEAT >= 1 && REPEAT <= 20) || !(Number.isInteger(KEYS) && KEYS >= 1 && KEYS <= 2_000_000) || !['stream', 'slab'].includes(UPPER_BOUND_READS)) {
  console.error('usage: node bench/run.mjs [--seconds 1..120] [--records 1..10000000] [--out DIR] [--no-profile] [--no-redis] [--repeat 1..20] [--trace-gc] [--keys 1..2000000] [--upper-bound-reads stream|slab] [--node-flags FLAGS] [--upper-bound-node-flags FLAGS]')
  process.exit(2)
}

/** The settings every throughput run shares (the reference settings). */
const VALUE_BYTES = 1024
const CONNECTIONS = 50
const FEW_CONNECTIONS = 8
/** Operation cap of each timed run: far above what the time allows, so time ends it. */
const MAX_OPS = 200_000 * SECONDS
/** No child may outlive this; a hung one is killed and the step reported as failed. */
const CHILD_LIMIT_MS = SECONDS * 4_000 + 120_000

const RAW = join(OUT, 'raw')
mkdirSync(RAW, { recursive: true })
const scratch = mkdtempSync(join(tmpdir(), 'aerolite-bench-'))

// ---- processes -------------------------------------------------------------------------------

const run = (command, args, options = {}) => runBounded(command, args, { limitMs: CHILD_LIMIT_MS, ...options })

// ---- the aerolite command --------------------------------------------------------------------

/**
 * With --trace-gc, V8 prints one line per collection on the server's stdout, e.g.
 * "[pid:0x..]  1234 ms: Scavenge 10.2 (12.3) -> 9.8 (13.3) MB, 0.85 / 0.00 ms  (...)": the first
 * figure after "MB," is the pause of the main thread. Collected from the start; `since(mark)`
 * sums the pauses after a mark.
 */
function gcRecorder(child) {
  const pauses = []
  let partial = ''
  child.stdout.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()
    for (const line of lines) {
      const match = /ms: ([A-Za-z-]+(?: \([^)]*\))?)[^,]*MB, ([\d.]+) \/ [\d.]+ ms/.exec(line)
      if (match !== null) pauses.push({ kind: match[1], pauseMs: Number(match[2]) })
    }
  })
  return {
    mark: () => pauses.length,
    since(mark) {
      const window = pauses.slice(mark)
      const longest = window.reduce((max, p) => (p.pauseMs > max.pauseMs ? p : max), { kind: undefined, pauseMs: 0 })
      return { count: window.length, over2Ms: window.filter((p) => p.pauseMs > 2).length, maxPauseMs: longest.pauseMs, maxPauseKind: longest.kind, totalPauseMs: window.reduce((sum, p) => sum + p.pauseMs, 0) }
    },
  }
}

const serverFlags = (flags = NODE_FLAGS) => [...flags, ...(TRACE_GC ? ['--trace-gc'] : [])]

async function startAerolite(nodeFlags = []) {
  const port = await freePort()
  const args = [...serverFlags(), ...nodeFlags, CLI, 'start', '--port', String(port), '--log-level', 'warn', ...namespaceConfig(KEYS, VALUE_BYTES, scratch)]
  const child = await startProcess(process.execPath, args, /aerolite ready on /, 'aerolite start')
  return { child, port, gc: gcRecorder(child), command: `node ${args.map((a) => relative(ROOT, a) || a).join(' ')}` }
}

/** Runs `aerolite bench ARGS` and returns its --json report (plus the exact command). */
async function aeroliteBench(name, port, args, serverPid) {
  const json = join(RAW, `${name}.json`)
  const full = ['bench', '--port', String(port), ...args, '--json', json]
  if (serverPid !== undefined) full.push('--server-pid', String(serverPid))
  const command = `node packages/cli/bin/aerolite.cjs ${full.map((a) => (a.startsWith(ROOT) ? relative(ROOT, a) : a)).join(' ')}`
  log(command)
  const result = await run(process.execPath, [CLI, ...full], { echo: true })
  if (result.code !== 0) throw new Error(`${name}: aerolite bench exited ${result.code}: ${result.stderr.trim()}`)
  return { command, report: JSON.parse(readFileSync(json, 'utf8')) }
}

const RU50 = (connections) => [
  '--workload', 'RU,50', '--keys', String(KEYS), '--bins', `B${VALUE_BYTES}`, '--connections', String(connections), '--inflight', '1',
  '--duration', String(SECONDS), '--ops', String(MAX_OPS),
]
const PRELOAD = ['--workload', 'I', '--keys', String(KEYS), '--bins', `B${VALUE_BYTES}`, '--connections', String(CONNECTIONS), '--duration', '120']

function row(system, connections, report, commands, gc) {
  return {
    system,
    gc,
    connections,
    inflightPerConnection: 1,
    opsPerSecond: report.opsPerSecond,
    ops: report.ops,
    seconds: report.elapsedSeconds,
    errors: report.totals.errors,
    timeouts: report.totals.timeouts,
    latencyMs: report.latencyMs.all,
    serverCpuMicrosPerOp: report.serverCpuMicrosPerOp,
    generatorCpuMicrosPerOp: report.generatorCpuMicrosPerOp,
    commands,
  }
}

// ---- the steps -------------------------------------------------------------------------------

/** GC pauses of `run` (with --trace-gc), and its result. */
async function withGc(recorder, run) {
  const mark = recorder.mark()
  const result = await run()
  return { ...result, gc: TRACE_GC ? recorder.since(mark) : undefined }
}

/** `round` names the raw files of a repeated run; the 8-connection run is left out of repeats. */
async function measureAerolite(round = '', fewConnections = true) {
  const server = await startAerolite()
  try {
    const preload = await aeroliteBench(`aerolite-preload${round}`, server.port, PRELOAD)
    const c50 = await withGc(server.gc, () => aeroliteBench(`aerolite-ru50-c50${round}`, server.port, RU50(CONNECTIONS), server.child.pid))
    const rows = [row('Aerolite', CONNECTIONS, c50.report, [server.command, preload.command, c50.command], c50.gc)]
    if (fewConnections) {
      const c8 = await withGc(server.gc, () => aeroliteBench(`aerolite-ru50-c8${round}`, server.port, RU50(FEW_CONNECTIONS), server.child.pid))
      rows.push(row('Aerolite', FEW_CONNECTIONS, c8.report, [server.command, preload.command, c8.command], c8.gc))
    }
    return rows
  } finally {
    await stopProcess(server.child)
  }
}

async function measureUpperBound(round = '') {
  const port = await freePort()
  const readFlags = UPPER_BOUND_READS === 'slab' ? ['--import', 'tsx'] : []
  const args = [...serverFlags(UPPER_BOUND_NODE_FLAGS), ...readFlags, UPPER_BOUND, '--port', String(port), '--namespace', 'test', '--bins', `B${VALUE_BYTES}`, '--reads', UPPER_BOUND_READS]
  const child = await startProcess(process.execPath, args, /ready on/, 'upper-bound server')
  const gc = gcRecorder(child)
  try {
    const serverCommand = ['node', ...serverFlags(UPPER_BOUND_NODE_FLAGS), ...readFlags, 'bench/upper-bound-server.mjs', '--port', port, '--namespace', 'test', '--bins', `B${VALUE_BYTES}`, '--reads', UPPER_BOUND_READS].join(' ')
    const c50 = await withGc(gc, () => aeroliteBench(`upper-bound-ru50-c50${round}`, port, RU50(CONNECTIONS), child.pid))
    return row('Upper bound (fixed replies, no database)', CONNECTIONS, c50.report, [serverCommand, c50.command], c50.gc)
  } finally {
    await stopProcess(child)
  }
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Per system, the medians and the spread (min, max) of the repeated runs' figures. */
function repeatSummary(rows) {
  const figures = { opsPerSecond: (r) => r.opsPerSecond, serverCpuMicrosPerOp: (r) => r.serverCpuMicrosPerOp, p50Ms: (r) => r.latencyMs.p50, p99Ms: (r) => r.latencyMs.p99, maxGcPauseMs: (r) => r.gc?.maxPauseMs }
  const systems = [...new Set(rows.map((r) => r.system))]
  return systems.map((system) => {
    const mine = rows.filter((r) => r.system === system)
    const summary = { system, connections: mine[0].connections, runs: mine.length }
    for (const [name, get] of Object.entries(figures)) {
      const values = mine.map(get).filter((v) => v !== undefined)
      summary[name] = values.length === 0 ? undefined : { median: median(values), min: Math.min(...values), max: Math.max(...values) }
    }
    return summary
  })
}

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim()
}

async function ensureRedis() {
  if (which('redis-server') && which('redis-benchmark')) return undefined
  log('redis-server or redis-benchmark missing: apt-get install redis-server redis-tools')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update'], { encoding: 'utf8', env, timeout: 180_000 })
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server', 'redis-tools'], { encoding: 'utf8', env, timeout: 300_000 })
  if (!install || install.status !== 0 || !which('redis-benchmark')) return `could not install Redis with apt-get: ${(install || update).stderr?.slice(-300)}`
  return undefined
}

/** redis-benchmark --csv rows: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms" */
function parseRedisCsv(text) {
  const rows = {}
  for (const line of text.split('\n')) {
    const cells = line.split('","').map((c) => c.replace(/"/g, ''))
    if (cells.length < 8 || cells[0] === 'test') continue
    rows[cells[0]] = { rps: Number(cells[1]), avg: Number(cells[2]), min: Number(cells[3]), p50: Number(cells[4]), p95: Number(cells[5]), p99: Number(cells[6]), max: Number(cells[7]) }
  }
  return rows
}

async function measureRedis() {
  const problem = await ensureRedis()
  if (problem !== undefined) return { unavailable: problem }
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim()
  const port = await freePort()
  const serverArgs = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no', '--dir', scratch]
  const child = await startProcess('redis-server', serverArgs, /Ready to accept connections/, 'redis-server')
  try {
    // Each test (SET, then GET) gets half the time of an Aerolite run at the reference rate.
    const requests = Math.round(22_500 * SECONDS)
    const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(CONNECTIONS), '-n', String(requests), '-d', String(VALUE_BYTES), '-r', String(KEYS), '-P', '1', '-t', 'set,get', '--csv']
    const command = `redis-benchmark ${args.join(' ')}`
    log(command)
    const cpuBefore = cpuMicros(child.pid)
    const result = await run('redis-benchmark', args)
    const cpu = cpuMicros(child.pid) - cpuBefore
    if (result.code !== 0) throw new Error(`redis-benchmark exited ${result.code}: ${result.stderr.trim()}`)
    writeFileSync(join(RAW, 'redis-benchmark.csv'), result.stdout)
    const tests = parseRedisCsv(result.stdout)
    const set = tests.SET
    const get = tests.GET
    if (set === undefined || get === undefined) throw new Error(`redis-benchmark printed no SET/GET rows: ${result.stdout}`)
    log(`redis SET ${set.rps}/s p50 ${set.p50} p99 ${set.p99} ms; GET ${get.rps}/s p50 ${get.p50} p99 ${get.p99} ms`)
    // One SET and one GET per pair, run one after the other: the rate of the pair is harmonic.
    const opsPerSecond = (2 * requests) / (requests / set.rps + requests / get.rps)
    return {
      system: `Redis ${/v=(\S+)/.exec(version)?.[1] ?? ''} (redis-benchmark, SET then GET)`,
      connections: CONNECTIONS,
      inflightPerConnection: 1,
      opsPerSecond,
      ops: 2 * requests,
      seconds: requests / set.rps + requests / get.rps,
      errors: 0,
      timeouts: 0,
      // redis-benchmark reports each test separately; the worse of SET and GET is shown.
      latencyMs: { p50: Math.max(set.p50, get.p50), p90: undefined, p99: Math.max(set.p99, get.p99), p999: undefined, max: Math.max(set.max, get.max), mean: (set.avg + get.avg) / 2 },
      perTest: { SET: set, GET: get },
      serverCpuMicrosPerOp: cpu / (2 * requests),
      generatorCpuMicrosPerOp: undefined,
      commands: [`redis-server ${serverArgs.map((a) => (a === '' ? '""' : a)).join(' ')}`, command],
    }
  } finally {
    await stopProcess(child)
  }
}

async function measureMemory() {
  const server = await startAerolite()
  try {
    await sleep(1000)
    const before = procStatus(server.child.pid)
    const load = await aeroliteBench('aerolite-memory-load', server.port, ['--workload', 'I', '--keys', String(RECORDS), '--bins', 'I,S20', '--connections', String(CONNECTIONS), '--duration', '240'], server.child.pid)
    await sleep(2000)
    const after = procStatus(server.child.pid)
    const info = await run(process.execPath, [CLI, 'info', '--port', String(server.port), 'namespace/test'], { limitMs: 30_000 })
    const objects = Number(/(?:^|;|\t)objects=(\d+)/.exec(info.stdout)?.[1] ?? NaN)
    return {
      records: RECORDS,
      recordsWritten: load.report.totals.writes,
      objectsReported: objects,
      rssBeforeBytes: before.rssBytes,
      rssAfterBytes: after.rssBytes,
      hwmAfterBytes: after.hwmBytes,
      bytesPerRecord: (after.rssBytes - before.rssBytes) / RECORDS,
      loadOpsPerSecond: load.report.opsPerSecond,
      loadServerCpuMicrosPerOp: load.report.serverCpuMicrosPerOp,
      commands: [server.command, load.command, `read VmRSS from /proc/${server.child.pid}/status 1 s after start and 2 s after the load`],
    }
  } finally {
    await stopProcess(server.child)
  }
}

async function profileAerolite() {
  const dir = join(scratch, 'cpu-profile')
  const server = await startAerolite(['--cpu-prof', `--cpu-prof-dir=${dir}`])
  let command
  try {
    await aeroliteBench('profile-preload', server.port, PRELOAD)
    const loaded = await aeroliteBench('profile-ru50-c50', server.port, RU50(CONNECTIONS), server.child.pid)
    command = loaded.command
  } finally {
    await stopProcess(server.child)
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`)
  const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')))
  const rows = summary.rows.filter((r) => r.name !== '(idle)')
  return {
    profileFile: join(dir, file),
    sampledMs: summary.totalMs,
    busyMs: summary.busyMs,
    top: rows.slice(0, 15),
    commands: [server.command, command],
  }
}

function machine() {
  const cpu = cpus()
  return {
    cpuModel: cpu[0]?.model,
    cpuCount: cpu.length,
    memoryBytes: totalmem(),
    freeMemoryBytesAtStart: freemem(),
    loadAverageAtStart: loadavg(),
    os: `${process.platform} ${release()}`,
    node: process.version,
  }
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const started = new Date()
  log(`baseline: ${SECONDS} s per timed run, ${RECORDS} records for memory; results in ${relative(ROOT, OUT)}`)
  const results = {
    date: started.toISOString(),
    machine: machine(),
    suiteCommand: `node bench/run.mjs ${argv.join(' ')}`.trim(),
    settings: { workload: 'RU,50', keys: KEYS, valueBytes: VALUE_BYTES, connections: CONNECTIONS, fewConnections: FEW_CONNECTIONS, inflightPerConnection: 1, secondsPerRun: SECONDS, memoryRecords: RECORDS, upperBoundReads: UPPER_BOUND_READS, nodeFlags: NODE_FLAGS, upperBoundNodeFlags: UPPER_BOUND_NODE_FLAGS },
    runs: [],
    memory: undefined,
    profile: undefined,
    failures: [],
  }
  const step = async (name, fn) => {
    log(`--- ${name}`)
    try {
      return await fn()
    } catch (err) {
      log(`${name} failed: ${err.message}`)
      results.failures.push({ step: name, error: err.message })
      return undefined
    }
  }
  if (REPEAT > 1) {
    // Alternating, so a change in the machine's speed during the run touches both alike.
    const repeated = []
    for (let i = 1; i <= REPEAT; i++) {
      const aerolite = await step(`Aerolite, round ${i}`, () => measureAerolite(`-round${i}`, false))
      const upper = await step(`Upper bound, round ${i}`, () => measureUpperBound(`-round${i}`))
      for (const r of [...(aerolite ?? []), ...(upper ? [upper] : [])]) repeated.push({ ...r, round: i })
    }
    results.runs.push(...repeated)
    results.repeats = repeatSummary(repeated)
  } else {
    const aerolite = await step('Aerolite', measureAerolite)
    if (aerolite) results.runs.push(...aerolite)
  }
  if (REDIS) {
    const redis = await step('Redis', measureRedis)
    if (redis?.unavailable) results.failures.push({ step: 'Redis', error: redis.unavailable })
    else if (redis) results.runs.push(redis)
  }
  if (REPEAT === 1) {
    const upper = await step('Upper bound', measureUpperBound)
    if (upper) results.runs.push(upper)
  }
  results.memory = await step('Memory', measureMemory)
  if (PROFILE) results.profile = await step('Profile', profileAerolite)
  results.finished = new Date().toISOString()
  results.machine.loadAverageAtEnd = loadavg()
  results.goals = goals(results)

  writeFileSync(join(OUT, 'baseline.json'), JSON.stringify(results, null, 2) + '\n')
  writeFileSync(join(OUT, 'baseline.md'), renderMarkdown(results))
  writeFileSync(join(OUT, 'baseline.svg'), renderChart(results))
  log(`wrote ${['baseline.json', 'baseline.md', 'baseline.svg'].map((f) => relative(ROOT, join(OUT, f))).join(', ')} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`)
  process.stdout.write('\n' + renderMarkdown(results))
  return results.failures.length === 0 ? 0 : 1
}

/**
 * The performance issue's goals (reported, never asserted): Aerolite against the upper bound
 * measured in the same run, from the medians of the repeated runs when there are any.
 */
function goals(results) {
  const find = (prefix, connections) => results.runs.find((r) => r.system.startsWith(prefix) && r.connections === connections)
  const repeated = (prefix) => results.repeats?.find((r) => r.system.startsWith(prefix))
  const figure = (prefix, name, fromRun) => repeated(prefix)?.[name]?.median ?? (find(prefix, CONNECTIONS) === undefined ? undefined : fromRun(find(prefix, CONNECTIONS)))
  const cpu = (prefix) => figure(prefix, 'serverCpuMicrosPerOp', (r) => r.serverCpuMicrosPerOp)
  const ops = (prefix) => figure(prefix, 'opsPerSecond', (r) => r.opsPerSecond)
  const p99 = (prefix) => figure(prefix, 'p99Ms', (r) => r.latencyMs.p99)
  const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b)
  const cpuRatio = ratio(cpu('Aerolite'), cpu('Upper bound'))
  const opsRatio = ratio(ops('Aerolite'), ops('Upper bound'))
  const p99Ratio = ratio(p99('Aerolite'), p99('Upper bound'))
  const gcRows = results.runs.filter((r) => r.system === 'Aerolite' && r.gc !== undefined)
  const longestGc = gcRows.length === 0 ? undefined : Math.max(...gcRows.map((r) => r.gc.maxPauseMs))
  const goal = (name, target, measured, met, note) => ({ name, target, measured, met: measured === undefined ? undefined : met, note })
  return [
    goal('server CPU per operation vs upper bound (50 connections)', '<= 1.4x', cpuRatio, cpuRatio <= 1.4, 'ratio'),
    goal('throughput vs upper bound (50 connections, same generator)', 'reported (~0.75x follows from the CPU goal)', opsRatio, opsRatio >= 0.75, 'ratio'),
    goal('p99 vs upper bound\'s p99 (50 connections)', '<= 1.5x', p99Ratio, p99Ratio <= 1.5, 'ratio'),
    goal('longest GC pause of Aerolite during the timed runs (--trace-gc)', '<= 2 ms', longestGc, longestGc <= 2, 'ms'),
    goal(`RSS growth per record (${RECORDS} records)`, '<= 144 B', results.memory?.bytesPerRecord, results.memory?.bytesPerRecord <= 144, 'B'),
  ]
}

process.exitCode = await main()
