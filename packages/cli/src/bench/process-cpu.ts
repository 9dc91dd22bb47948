// CPU time of a local process from /proc/<pid>/stat (utime + stime, all threads), Linux only.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** utime + stime of the process in microseconds; throws naming the pid if it cannot be read. */
export function processCpuMicros(pid: number): number {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (err) {
    throw new Error(`cannot read the CPU time of process ${pid}: ${(err as Error).message}`)
  }
  return cpuMicrosFromStat(text, clockTicksPerSecond())
}

/** Parses a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function cpuMicrosFromStat(text: string, ticks: number): number {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format')
  return ((utime + stime) * 1e6) / ticks
}
