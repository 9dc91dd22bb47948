// Runs seeds and reports them: one seed in full, or many with a summary line, failing schedules
// shrunk first (a fault is dropped, or made shorter, while the run still fails).
import { performance } from 'node:perf_hooks'
import { runSchedule, type RunOptions, type RunResult } from './run-seed.ts'
import { describeFault, generateSchedule, type Schedule } from './schedule.ts'

export interface ReportOptions {
  plants: ReadonlySet<string>
  print: (line: string) => void
}

/** At most this many extra runs to shrink one failing schedule. */
const SHRINK_RUNS = 24

export async function runOne(seed: number, options: ReportOptions & { schedule?: string | undefined; verbose?: boolean }): Promise<number> {
  const schedule = options.schedule === undefined ? generateSchedule(seed) : parseSchedule(options.schedule)
  const result = await runSchedule(seed, schedule, { plants: options.plants })
  printRun(result, options.print, options.verbose === true)
  return result.violations.length > 0 ? 1 : 0
}

export async function runMany(from: number, count: number, options: ReportOptions): Promise<number> {
  const started = performance.now()
  const failing: RunResult[] = []
  let operations = 0
  let simulatedMs = 0
  let lossRuns = 0
  let losses = 0
  for (let seed = from; seed < from + count; seed++) {
    const result = await runSchedule(seed, generateSchedule(seed), { plants: options.plants })
    operations += result.operations
    simulatedMs += result.simulatedMs
    if (result.losses.length > 0) {
      lossRuns++
      losses += result.losses.length
    }
    if (result.violations.length > 0) failing.push(result)
  }
  const minutes = (performance.now() - started) / 60_000
  options.print(`${count} seeds, ${failing.length} failures`)
  options.print(`tagged runs (network partition or a second failure before copies were restored) that lost acknowledged writes: ${lossRuns} runs, ${losses} losses`)
  options.print(`${(count / minutes).toFixed(0)} seeds per minute, ${(operations / (minutes * 60)).toFixed(0)} simulated operations per second, ${(simulatedMs / 1000).toFixed(0)} s simulated`)
  for (const result of failing) {
    const shrunk = await shrink(result, { plants: options.plants })
    options.print(`failing seed ${result.seed}: ${shrunk.violations[0]!.kind}: ${shrunk.violations[0]!.detail}`)
    options.print(`  replay: npm run sim -- --seed ${result.seed} --schedule '${JSON.stringify(shrunk.schedule)}'${[...options.plants].map((p) => ` --plant ${p}`).join('')}`)
  }
  return failing.length > 0 ? 1 : 0
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
  print(`seed ${result.seed}: ${result.schedule.nodes} nodes, replication factor ${result.schedule.replicationFactor}, ${result.schedule.workloadMs} ms of workload`)
  print(result.schedule.faults.length === 0 ? 'faults: none' : 'faults:')
  for (const fault of result.schedule.faults) print(`  ${describeFault(fault)}`)
  if (result.tags.length > 0) print(`tags: ${result.tags.join(', ')} (acknowledged writes may be lost by design; counted, not failed)`)
  print(`${result.operations} operations, ${(result.simulatedMs / 1000).toFixed(1)} s simulated in ${(result.realMs / 1000).toFixed(2)} s`)
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
