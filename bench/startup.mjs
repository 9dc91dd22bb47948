#!/usr/bin/env node
// How long `aerolite start` takes to become usable, measured from outside the process:
//
//   ready   spawn of `aerolite start --port 0` until its ready line arrives on stdout
//   connect spawn of `aerolite start --port P` (P found free just before) until a TCP connection to
//           P succeeds, polling net.connect every 2 ms
//
// The first run of each kind is reported on its own: it may rebuild the CLI's esbuild bundle
// (packages/server/bundle.cjs rebuilds it when one of its inputs is newer than the bundle), and it
// runs for FIRST_RUN_HOLD_MS after it is ready, so that the bundle's V8 code cache is written
// (packages/server/load-bundle.cjs writes it a second after the bundle is loaded).
//
// The measured runs go in rounds: a bare `node -e 0`, a ready run, a connect run (and with --base,
// the same two of another checkout), so that each round's differences to the bare node are
// measured minutes apart at most, and the medians of those differences are the result.
// Usage: node bench/startup.mjs [--runs N] [--base DIR] [--out FILE]
//        (defaults: 10 rounds, bench/results/startup.json; DIR: another checkout, as for bench/ab.mjs)
import { spawn } from 'node:child_process'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { cpus, platform, release, arch, totalmem } from 'node:os'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as delay } from 'node:timers/promises'
import { bundleOf, cliOf } from './checkout.mjs'
import { freePort } from './free-port.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const POLL_MS = 2
const FIRST_RUN_HOLD_MS = 1_500
const RUN_TIMEOUT_MS = 30_000

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback
}

const runs = Number(option('runs', '10'))
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${option('runs', '')}`)
  process.exit(2)
}
const outFile = option('out', fileURLToPath(new URL('results/startup.json', import.meta.url)))
const baseDir = option('base', undefined)
/** The checkouts measured: this one ('head') and, with --base, another ('base'). */
const checkouts = [{ name: 'head', root: ROOT }, ...(baseDir === undefined ? [] : [{ name: 'base', root: resolve(baseDir) }])]

function bundleMtimeMs(checkout) {
  try {
    // Where packages/server/bundle.cjs writes the CLI's bundle: its mtime tells whether a run rebuilt it.
    return statSync(bundleOf(checkout.root)).mtimeMs
  } catch {
    return -1
  }
}

function spawnStart(checkout, port) {
  const child = spawn(process.execPath, [cliOf(checkout.root), 'start', '--port', String(port)], { cwd: checkout.root, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr.resume()
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })))
  return { child, exited }
}

/** SIGTERM, then wait for the exit (SIGKILL after 10 s) so runs never overlap. */
async function stop({ child, exited }) {
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const result = await exited
  clearTimeout(timer)
  return result
}

function withTimeout(promise, what, child) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`timed out after ${RUN_TIMEOUT_MS} ms waiting for ${what}`))
      }, RUN_TIMEOUT_MS)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * After SIGTERM the node should drain and exit 0. An exit *by* SIGTERM means the signal arrived
 * before the node installed its handler; it is counted, not fatal, since startup was still measured.
 */
function checkExit({ code, signal }) {
  if (code === 0) return 'drained'
  if (signal === 'SIGTERM') return 'killed-by-sigterm'
  throw new Error(`aerolite start ended with code ${code}, signal ${signal} after SIGTERM (expected exit 0)`)
}

/** Spawn → ready line. Returns the elapsed ms and the ms the node reported itself. */
async function measureReady(checkout, holdMs = 0) {
  const startedAt = performance.now()
  const proc = spawnStart(checkout, 0)
  let stdout = ''
  const ready = new Promise((resolve, reject) => {
    proc.child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
      if (stdout.includes('\n')) resolve(performance.now() - startedAt)
    })
    proc.exited.then(({ code, signal }) => reject(new Error(`aerolite start exited (code ${code}, signal ${signal}) before its ready line`)))
  })
  const elapsedMs = await withTimeout(ready, 'the ready line', proc.child)
  const line = stdout.slice(0, stdout.indexOf('\n'))
  const selfReported = /\((\d+) ms\)$/.exec(line)
  await delay(holdMs)
  const exit = await stop(proc)
  return { elapsedMs, selfReportedMs: selfReported ? Number(selfReported[1]) : undefined, line, exit: checkExit(exit) }
}

/** Spawn on a known free port → first successful TCP connect, polling every POLL_MS. */
async function measureConnect(checkout, holdMs = 0) {
  const port = await freePort()
  const startedAt = performance.now()
  const proc = spawnStart(checkout, port)
  let attempts = 0
  const connected = new Promise((resolve, reject) => {
    let done = false
    proc.exited.then(({ code, signal }) => {
      done = true
      reject(new Error(`aerolite start --port ${port} exited (code ${code}, signal ${signal}) before accepting a connection`))
    })
    const attempt = () => {
      if (done) return
      attempts++
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        done = true
        resolve(performance.now() - startedAt)
        socket.destroy()
      })
      socket.once('error', () => {
        socket.destroy()
        setTimeout(attempt, POLL_MS)
      })
    }
    attempt()
  })
  const elapsedMs = await withTimeout(connected, `a TCP connection to port ${port}`, proc.child)
  await delay(holdMs)
  const exit = await stop(proc)
  return { elapsedMs, attempts, exit: checkExit(exit) }
}

/** Baseline: spawn → exit of a bare `node -e 0`, the floor under any Node command on this machine. */
async function measureBareNode() {
  const startedAt = performance.now()
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('close', resolve))
  return { elapsedMs: performance.now() - startedAt }
}

const round1 = (x) => Math.round(x * 10) / 10

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { min: round1(sorted[0]), median: round1(median), max: round1(sorted.at(-1)), samplesMs: samples.map(round1) }
}

function countExits(results) {
  const counts = {}
  for (const r of results) counts[r.exit] = (counts[r.exit] ?? 0) + 1
  return counts
}

/** The first run of each kind: it may rebuild the bundle, and it leaves the code cache. */
async function firstRun(checkout, measure) {
  const before = bundleMtimeMs(checkout)
  const first = await measure(checkout, FIRST_RUN_HOLD_MS)
  return { ms: round1(first.elapsedMs), bundleRebuilt: bundleMtimeMs(checkout) !== before, exit: first.exit }
}

console.log(`aerolite startup: 1 first run + ${runs} rounds of each measurement${baseDir === undefined ? '' : `, head and base (${baseDir})`}\n`)

const firsts = {}
for (const checkout of checkouts) firsts[checkout.name] = { ready: await firstRun(checkout, measureReady), connect: await firstRun(checkout, measureConnect) }
const bare = []
const measured = Object.fromEntries(checkouts.map((c) => [c.name, { ready: [], connect: [] }]))
for (let i = 0; i < runs; i++) {
  bare.push(await measureBareNode())
  // Alternate which checkout goes first, so neither always follows the bare node.
  for (const checkout of i % 2 === 0 ? checkouts : [...checkouts].reverse()) {
    measured[checkout.name].ready.push(await measureReady(checkout))
    measured[checkout.name].connect.push(await measureConnect(checkout))
  }
}

/** One checkout's figures: spawn -> ready and -> connect, and each round's difference to the bare node. */
function checkoutResult(checkout) {
  const { ready, connect } = measured[checkout.name]
  return {
    ready: {
      what: 'spawn -> ready line on stdout',
      command: `node ${relative(checkout.root, cliOf(checkout.root))} start --port 0`,
      firstRun: firsts[checkout.name].ready,
      ...summary(ready.map((r) => r.elapsedMs)),
      selfReportedMs: summary(ready.map((r) => r.selfReportedMs ?? NaN)),
      overBareNodeMs: summary(ready.map((r, i) => r.elapsedMs - bare[i].elapsedMs)),
    },
    connect: {
      what: `spawn -> first successful TCP connect, polling every ${POLL_MS} ms`,
      command: `node ${relative(checkout.root, cliOf(checkout.root))} start --port <free port>`,
      firstRun: firsts[checkout.name].connect,
      ...summary(connect.map((r) => r.elapsedMs)),
      overBareNodeMs: summary(connect.map((r, i) => r.elapsedMs - bare[i].elapsedMs)),
    },
  }
}

const result = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    totalMemoryBytes: totalmem(),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  },
  command: `node bench/startup.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  runs,
  pollIntervalMs: POLL_MS,
  bareNode: {
    what: 'spawn -> exit of a bare node process (baseline)',
    command: 'node -e 0',
    ...summary(bare.map((r) => r.elapsedMs)),
  },
  /** How each node ended after SIGTERM: 'drained' (exit 0) or 'killed-by-sigterm' (no handler yet). */
  exits: countExits(checkouts.flatMap((c) => [...measured[c.name].ready, ...measured[c.name].connect, firsts[c.name].ready, firsts[c.name].connect])),
  ...checkoutResult(checkouts[0]),
  ...(baseDir === undefined ? {} : { base: { dir: resolve(baseDir), ...checkoutResult(checkouts[1]) } }),
}

mkdirSync(dirname(outFile), { recursive: true })
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`)

const row = (label, s) => `${label.padEnd(44)} ${String(s.min).padStart(7)} ${String(s.median).padStart(7)} ${String(s.max).padStart(7)}`
console.log(`${result.machine.cpu} x${result.machine.cpus}, ${result.machine.os}, node ${result.machine.node}`)
for (const [name, figures] of [['', result], ...(result.base === undefined ? [] : [['base: ', result.base]])]) {
  console.log(`${name}first run: ready ${figures.ready.firstRun.ms} ms (bundle rebuilt: ${figures.ready.firstRun.bundleRebuilt}), connect ${figures.connect.firstRun.ms} ms (bundle rebuilt: ${figures.connect.firstRun.bundleRebuilt})`)
}
console.log(`${''.padEnd(44)} ${'min'.padStart(7)} ${'median'.padStart(7)} ${'max'.padStart(7)}  (ms, ${runs} rounds)`)
for (const [name, figures] of [['', result], ...(result.base === undefined ? [] : [['base: ', result.base]])]) {
  console.log(row(`${name}spawn -> ready line`, figures.ready))
  console.log(row(`${name}  (as reported in the ready line)`, figures.ready.selfReportedMs))
  console.log(row(`${name}  over the bare node, per round`, figures.ready.overBareNodeMs))
  console.log(row(`${name}spawn -> TCP connect (poll ${POLL_MS} ms)`, figures.connect))
  console.log(row(`${name}  over the bare node, per round`, figures.connect.overBareNodeMs))
}
console.log(row('baseline: spawn -> exit of `node -e 0`', result.bareNode))
if (result.exits['killed-by-sigterm'] !== undefined) {
  console.log(`note: ${result.exits['killed-by-sigterm']} node(s) were killed by SIGTERM instead of draining (the signal arrived before the node installed its handler)`)
}
console.log(`wrote ${relative(process.cwd(), outFile) || outFile}`)
