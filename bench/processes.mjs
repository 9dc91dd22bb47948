// Child processes of the benchmarks: bounded runs, servers started until a ready line, stops that
// end in SIGKILL, CPU time and memory read from /proc. Every child dies with the benchmark.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const children = new Set()
function cleanup() {
  for (const child of children) child.kill('SIGKILL')
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {
  cleanup()
  process.exit(130)
})

export function log(text) {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`)
}

/** Runs a command to completion, killed after limitMs; returns { code, stdout, stderr, ms }. */
export function run(command, args, { limitMs, echo = false, cwd = ROOT }) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d
      if (echo) process.stdout.write(`    ${d.replace(/\n(?=.)/g, '\n    ')}`)
    })
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${limitMs} ms)`
      child.kill('SIGKILL')
    }, limitMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code: code ?? signal, stdout, stderr, ms: performance.now() - started })
    })
  })
}

/** Starts a long-running server; resolves when its output matches ready (within 30 s). */
export function startProcess(command, args, ready, what, { cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${what} was not ready within 30 s: ${output}`))
    }, 30_000)
    const onData = (d) => {
      output += d
      if (ready.test(output)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d))
    child.on('exit', (code) => {
      children.delete(child)
      clearTimeout(timer)
      reject(new Error(`${what} exited (${code}) before it was ready: ${output}`))
    })
  })
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
export function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      children.delete(child)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') }
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** User + system CPU time a process has used, in µs. */
export function cpuMicros(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
