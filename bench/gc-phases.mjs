#!/usr/bin/env node
// Where a node's GC pauses go, from V8's own phase timers:
//
//   node bench/gc-phases.mjs [--node-flags "--single-threaded-gc"] [--keys 100000] [--seconds 10] [--runs 1] [--out FILE]
//
// Each run starts `aerolite start` under `node --trace-gc-nvp` and the node flags (none by
// default), preloads the keys, runs `aerolite bench` RU,50 with 1 KiB values over 50 connections
// and reads V8's line per collection from the server's stdout. It reports per run the scavenges
// and full collections (Mark-Compact), their longest pauses, and each pause over 2 ms with the
// time V8's phase timers account for: a pause much longer than its phases is time the thread did
// not run (preempted on a busy machine), not collection work. `--out` keeps every figure as JSON.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-port.mjs'
import { namespaceConfig } from './namespace-config.mjs'
import { log, run, startProcess, stopProcess } from './processes.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'packages/cli/bin/aerolite.cjs')
const argv = process.argv.slice(2)
function option(name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i < 0 ? fallback : argv[i + 1]
}
const NODE_FLAGS = option('node-flags', '').split(' ').filter(Boolean)
const KEYS = Number(option('keys', '100000'))
const SECONDS = Number(option('seconds', '10'))
const RUNS = Number(option('runs', '1'))
const OUT = option('out', undefined)
if (!(KEYS >= 1 && KEYS <= 2_000_000) || !(SECONDS > 0 && SECONDS <= 120) || !(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 20)) {
  console.error('usage: node bench/gc-phases.mjs [--node-flags FLAGS] [--keys 1..2000000] [--seconds 1..120] [--runs 1..20] [--out FILE]')
  process.exit(2)
}
const LIMIT_MS = 600_000
const scratch = mkdtempSync(join(tmpdir(), 'gc-phases-'))
const OVER_MS = 2

/** Top-level phase timers of each kind of collection (the nested ones, "a.b", are parts of these). */
const PHASES = {
  s: ['scavenge', 'fast_promote', 'complete.sweep_array_buffers', 'time_to_safepoint', 'heap.prologue', 'heap.epilogue', 'heap.external.prologue', 'heap.external.epilogue', 'heap.external_weak_global_handles'],
  mc: ['prologue', 'mark', 'clear', 'evacuate', 'sweep', 'finish', 'epilogue', 'complete.sweep_array_buffers', 'complete.sweeping', 'time_to_safepoint', 'heap.prologue', 'heap.epilogue', 'heap.embedder_tracing_epilogue', 'heap.external.prologue', 'heap.external.epilogue'],
}

/** One `--trace-gc-nvp` line as name → value ("pause=0.3 gc=s scavenge=0.26 ..."). */
function fieldsOf(line) {
  return Object.fromEntries([...line.matchAll(/(\S+)=(\S+)/g)].map((m) => [m[1], m[2]]))
}

function summarise(lines) {
  const collections = lines.filter((line) => / gc=(s|mc) /.test(line)).map(fieldsOf)
  const ms = (c, name) => Number(c[name] ?? 0)
  const of = (kind) => collections.filter((c) => c.gc === kind)
  const longest = (kind) => Math.max(0, ...of(kind).map((c) => ms(c, 'pause')))
  const detail = (c) => {
    const at = `${collections.indexOf(c) + 1} of ${collections.length}`
    const phases = PHASES[c.gc].map((name) => [name, ms(c, name)]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
    const nested = Object.keys(c).filter((name) => name.includes('.') && PHASES[c.gc].some((top) => name.startsWith(`${top}.`)))
      .map((name) => [name, ms(c, name)]).sort((a, b) => b[1] - a[1]).slice(0, 3)
    return { kind: c.gc === 's' ? 'Scavenge' : 'Mark-Compact', at, pauseMs: ms(c, 'pause'), phasesMs: Number(phases.reduce((sum, [, v]) => sum + v, 0).toFixed(2)), top: [...phases.slice(0, 3), ...nested].map(([name, v]) => `${name}=${v}`).join(' ') }
  }
  const over = collections.filter((c) => ms(c, 'pause') > OVER_MS).map(detail)
  return { scavenges: of('s').length, longestScavengeMs: longest('s'), markCompacts: of('mc').length, longestMarkCompactMs: longest('mc'), over2Ms: over, markCompactPhases: of('mc').map(detail) }
}

async function measure(round) {
  const port = await freePort()
  const config = namespaceConfig(KEYS, 1024, scratch)
  const args = ['--trace-gc-nvp', ...NODE_FLAGS, CLI, 'start', '--port', String(port), '--log-level', 'warn', ...config]
  const child = await startProcess(process.execPath, args, /aerolite ready on /, 'aerolite start')
  const lines = []
  let partial = ''
  child.stdout.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()
    lines.push(...parts)
  })
  try {
    const bench = async (extra) => {
      const json = join(scratch, 'bench.json')
      const result = await run(process.execPath, [CLI, 'bench', '--port', String(port), '--keys', String(KEYS), '--bins', 'B1024', '--connections', '50', ...extra, '--json', json], { limitMs: LIMIT_MS })
      if (result.code !== 0) throw new Error(`aerolite bench exited ${result.code}: ${result.stderr.trim()}`)
    }
    await bench(['--workload', 'I', '--duration', '240'])
    const mark = lines.length
    await bench(['--workload', 'RU,50', '--inflight', '1', '--duration', String(SECONDS), '--ops', String(200_000 * SECONDS)])
    const summary = summarise(lines.slice(mark))
    log(`run ${round}: ${summary.scavenges} scavenges (longest ${summary.longestScavengeMs} ms), ${summary.markCompacts} Mark-Compacts (longest ${summary.longestMarkCompactMs} ms), ${summary.over2Ms.length} pauses over ${OVER_MS} ms`)
    for (const o of summary.over2Ms) log(`  ${o.kind} ${o.pauseMs} ms (collection ${o.at}), phases ${o.phasesMs} ms: ${o.top}`)
    for (const o of summary.markCompactPhases) log(`  Mark-Compact ${o.pauseMs} ms (collection ${o.at}): ${o.top}`)
    return summary
  } finally {
    await stopProcess(child)
  }
}

const runs = []
for (let round = 1; round <= RUNS; round++) runs.push(await measure(round))
if (OUT !== undefined) {
  const report = { date: new Date().toISOString(), command: `node bench/gc-phases.mjs ${argv.join(' ')}`, nodeFlags: NODE_FLAGS, keys: KEYS, seconds: SECONDS, runs }
  writeFileSync(OUT, JSON.stringify(report, null, 2) + '\n')
}
