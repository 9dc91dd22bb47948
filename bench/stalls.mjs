#!/usr/bin/env node
// How often this machine stops a running thread, whatever it runs:
//
//   node bench/stalls.mjs [--seconds 20] [--cpu N]
//
// A busy loop reads the monotonic clock over and over and counts the gaps between two reads, i.e.
// the time the thread was not running: preempted by the kernel, or its virtual CPU descheduled by
// the host. Run it on an otherwise idle machine. Every gap over 2 ms it finds is a pause no
// program here can avoid, and one that lands during a collection shows up as a GC pause over 2 ms
// with no phase of the collection accounting for it (bench/gc-phases.mjs shows the phases).
// --cpu pins the loop to one core (taskset) so the scheduler cannot move it instead.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const argv = process.argv.slice(2)
function option(name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i < 0 ? fallback : argv[i + 1]
}
const SECONDS = Number(option('seconds', '20'))
const CPU = option('cpu', undefined)
if (!(SECONDS > 0 && SECONDS <= 600) || (CPU !== undefined && !/^\d+$/.test(CPU))) {
  console.error('usage: node bench/stalls.mjs [--seconds 1..600] [--cpu N]')
  process.exit(2)
}

if (CPU !== undefined && process.env.STALLS_PINNED === undefined) {
  const args = ['-c', CPU, process.execPath, fileURLToPath(import.meta.url), '--seconds', String(SECONDS), '--cpu', CPU]
  const pinned = spawnSync('taskset', args, { stdio: 'inherit', env: { ...process.env, STALLS_PINNED: '1' } })
  process.exit(pinned.status ?? 1)
}

const BOUNDS_MS = [1, 2, 4]
const over = BOUNDS_MS.map(() => 0)
let longestMs = 0
const endMs = performance.now() + SECONDS * 1000
let lastMs = performance.now()
while (lastMs < endMs) {
  const nowMs = performance.now()
  const gapMs = nowMs - lastMs
  for (let i = 0; i < BOUNDS_MS.length; i++) if (gapMs > BOUNDS_MS[i]) over[i]++
  if (gapMs > longestMs) longestMs = gapMs
  lastMs = nowMs
}
const counts = BOUNDS_MS.map((bound, i) => `${over[i]} over ${bound} ms`).join(', ')
console.log(`${SECONDS} s of a busy loop${CPU === undefined ? '' : ` on CPU ${CPU}`}: ${counts}; longest ${longestMs.toFixed(2)} ms`)
