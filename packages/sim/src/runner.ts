// Runs seeds and reports them: one seed in full, or many with a summary line, failing schedules
// shrunk first (a fault is dropped, or made shorter, while the run still fails).
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { PlantName } from '@aerolite/server'
import { runSchedule, type RunOptions, type RunResult } from './run-seed.ts'
import { describeFault, generateSchedule, type FaultKind, type Schedule } from './schedule.ts'

export interface ReportOptions {
  plants: ReadonlySet<PlantName>
  print: (line: string) => void
}

/** At most this many extra runs to shrink one failing schedule. */
const SHRINK_RUNS = 24
/** Failing seeds shrunk and printed in full after a many-seed run. */
const SHRUNK_SEEDS = 3

export async function runOne(seed: number, options: ReportOptions & { kinds: ReadonlySet<FaultKind>; schedule?: string | undefined; verbose?: boolean }): Promise<number> {
  const schedule = options.schedule === undefined ? generateSchedule(seed, options.kinds) : parseSchedule(options.schedule)
  const result = await runSchedule(seed, schedule, { plants: options.plants })
  printRun(result, options.print, options.verbose === true)
  return result.violations.length > 0 ? 1 : 0
}

/** What a worker process reports of one seed (a JSON line). */
interface SeedSummary {
  seed: number
  violations: number
  losses: number
  operations: number
  simulatedMs: number
}

export interface ManyOptions extends ReportOptions {
  kinds: ReadonlySet<FaultKind>
  workers: number
}

/** Runs seeds from..from+count-1 in this process, handing each summary over as it ends. */
export async function runSeeds(from: number, count: number, options: Pick<ManyOptions, 'plants' | 'kinds'>, onSummary: (summary: SeedSummary) => void): Promise<void> {
  for (let seed = from; seed < from + count; seed++) {
    const result = await runSchedule(seed, generateSchedule(seed, options.kinds), { plants: options.plants })
    onSummary({ seed, violations: result.violations.length, losses: result.losses.length, operations: result.operations, simulatedMs: result.simulatedMs })
  }
}

export async function runMany(from: number, count: number, options: ManyOptions): Promise<number> {
  const started = performance.now()
  const summaries: SeedSummary[] = []
  if (options.workers <= 1) await runSeeds(from, count, options, (summary) => summaries.push(summary))
  else await runInWorkers(from, count, options, (summary) => summaries.push(summary))
  const minutes = (performance.now() - started) / 60_000
  const failing = summaries.filter((s) => s.violations > 0).sort((a, b) => a.seed - b.seed)
  const lossy = summaries.filter((s) => s.losses > 0)
  const operations = summaries.reduce((sum, s) => sum + s.operations, 0)
  const simulatedMs = summaries.reduce((sum, s) => sum + s.simulatedMs, 0)
  options.print(`${count} seeds, ${failing.length} failures`)
  options.print(`tagged runs that lost acknowledged writes (network partition, a second failure before copies were restored): ${lossy.length} runs, ${lossy.reduce((sum, s) => sum + s.losses, 0)} losses`)
  options.print(`${(count / minutes).toFixed(0)} seeds per minute, ${(operations / (minutes * 60)).toFixed(0)} simulated operations per second, ${(simulatedMs / 1000).toFixed(0)} s simulated in ${(minutes * 60).toFixed(0)} s`)
  if (failing.length > 0) options.print(`failing seeds: ${failing.map((s) => s.seed).join(' ')}`)
  for (const summary of failing.slice(0, SHRUNK_SEEDS)) {
    const result = await runSchedule(summary.seed, generateSchedule(summary.seed, options.kinds), { plants: options.plants })
    if (result.violations.length === 0) {
      options.print(`seed ${summary.seed}: failed in its worker but not when run again here: the run is not deterministic (a bug of the simulator)`)
      continue
    }
    const shrunk = await shrink(result, { plants: options.plants })
    options.print(`seed ${summary.seed}: ${shrunk.violations[0]!.kind}: ${shrunk.violations[0]!.detail}`)
    options.print(`  shrunk to: ${shrunk.schedule.faults.map(describeFault).join('; ') || 'no fault'}`)
    options.print(`  replay: npm run sim -- --seed ${summary.seed} --schedule '${JSON.stringify(shrunk.schedule)}'${[...options.plants].map((p) => ` --plant ${p}`).join('')}`)
  }
  return failing.length > 0 ? 1 : 0
}

/** Splits the seeds over worker processes (this same program with --json), one core each. */
async function runInWorkers(from: number, count: number, options: ManyOptions, onSummary: (summary: SeedSummary) => void): Promise<void> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url))
  const share = Math.ceil(count / options.workers)
  const workers: Array<Promise<void>> = []
  for (let start = from; start < from + count; start += share) {
    const args = [...process.execArgv, main, '--seeds', String(Math.min(share, from + count - start)), '--from', String(start), '--json', '--faults', [...options.kinds].join(',')]
    for (const plant of options.plants) args.push('--plant', plant)
    workers.push(new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      createInterface({ input: child.stdout }).on('line', (line) => onSummary(JSON.parse(line) as SeedSummary))
      child.on('error', reject)
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`a worker running seeds from ${start} exited with ${code}`))))
    }))
  }
  await Promise.all(workers)
}

/** Drops faults, then halves what remains, while the run keeps failing; bounded in runs. */
export async function shrink(failed: RunResult, options: RunOptions): Promise<RunResult> {
  let best = failed
  let runs = 0
  const tryCandidate = async (schedule: Schedule): Promise<boolean> => {
    if (runs++ >= SHRINK_RUNS) return false
    const result = await runSchedule(failed.seed, schedule, options)
    if (result.violations.length === 0) return false
    best = result
    return true
  }
  for (let i = best.schedule.faults.length - 1; i >= 0; i--) {
    const faults = best.schedule.faults.filter((_, j) => j !== i)
    await tryCandidate({ ...best.schedule, faults })
  }
  for (let i = 0; i < best.schedule.faults.length; i++) {
    const fault = best.schedule.faults[i]!
    if (fault.forMs < 200) continue
    const faults = best.schedule.faults.map((f, j) => (j === i ? { ...f, forMs: Math.round(f.forMs / 2) } : f))
    await tryCandidate({ ...best.schedule, faults })
  }
  return best
}

function printRun(result: RunResult, print: (line: string) => void, verbose: boolean): void {
  print(`seed ${result.seed}: ${result.schedule.nodes} nodes, replication factor ${result.schedule.replicationFactor}${result.schedule.commitToDevice === true ? ', commit-to-device' : ''}, ${result.schedule.workloadMs} ms of workload`)
  print(result.schedule.faults.length === 0 ? 'faults: none' : 'faults:')
  for (const fault of result.schedule.faults) print(`  ${describeFault(fault)}`)
  if (result.tags.length > 0) print(`tags: ${result.tags.join(', ')} (acknowledged writes may be lost by design; counted, not failed)`)
  print(`${result.operations} operations (${result.batchWritesAcknowledged} batch-write rows acknowledged), ${(result.simulatedMs / 1000).toFixed(1)} s simulated in ${(result.realMs / 1000).toFixed(2)} s`)
  for (const loss of result.losses) print(`loss: ${loss.kind}: ${loss.detail}`)
  for (const violation of result.violations) print(`VIOLATION ${violation.kind}: ${violation.detail}`)
  if (result.violations.length === 0) print('no violation')
  if (verbose || result.violations.length > 0) {
    print('last events:')
    for (const line of result.lastEvents.slice(verbose ? 0 : -40)) print(`  ${line}`)
  }
  print(`event log hash: ${result.eventLogHash}`)
}

function parseSchedule(text: string): Schedule {
  let schedule: Schedule
  try {
    schedule = JSON.parse(text) as Schedule
  } catch (err) {
    throw new RangeError(`--schedule is not JSON: ${(err as Error).message}`)
  }
  if (typeof schedule !== 'object' || schedule === null || !Array.isArray(schedule.faults) || !Number.isInteger(schedule.nodes) || !Number.isInteger(schedule.workloadMs)) {
    throw new RangeError('--schedule needs {"nodes":N,"replicationFactor":R,"workloadMs":MS,"faults":[...]} as printed by a failing run')
  }
  return schedule
}
