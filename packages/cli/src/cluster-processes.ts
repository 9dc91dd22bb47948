// The processes of a local cluster (`aerolite cluster up/down`): an etcd child, node children, the
// state file that records their PIDs, and stopping them by PID (SIGTERM, then SIGKILL).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const STATE_FILE = 'cluster.json'

export const ETCD_MISSING = 'etcd is not on PATH: install it with "apt-get install etcd-server" (Debian/Ubuntu) or from an etcd release (https://github.com/etcd-io/etcd/releases), then run this again'

export interface ProcessRecord {
  pid: number
  log: string
}

export interface NodeRecord extends ProcessRecord {
  index: number
  host: string
  port: number
  config: string
}

export interface ClusterState {
  dataDir: string
  etcd: (ProcessRecord & { clientPort: number; peerPort: number; dataDir: string }) | undefined
  nodes: NodeRecord[]
}

export function statePath(dataDir: string): string {
  return join(dataDir, STATE_FILE)
}

export function readState(dataDir: string): ClusterState | undefined {
  const path = statePath(dataDir)
  if (!existsSync(path)) return undefined
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterState
}

/** Written after every process started, so `down` can stop what a failed `up` left behind. */
export function writeState(state: ClusterState): void {
  const path = statePath(state.dataDir)
  // Written beside and renamed: a crash mid-write never leaves a half file that hides the PIDs.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
}

export function etcdInstalled(): boolean {
  const result = spawnSync('etcd', ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

/** A port that was free a moment ago (listen on 0, note it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no TCP address'))))
    })
  })
}

/** Whether `port` can be listened on now. */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

export interface Started {
  pid: number
  /** Resolves with a description when the process exits (while this command still runs). */
  exited: Promise<string>
}

/**
 * Starts a process that outlives this command: its own process group (a Ctrl-C of the terminal
 * that ran `up` does not reach it), stdout and stderr appended to `log`, no handle kept.
 */
export function startDetached(command: string, args: readonly string[], log: string): Started {
  const fd = openSync(log, 'a')
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] })
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not start ${command}: ${err.message}`))
      child.once('exit', (code, signal) => resolve(signal === null ? `exited with code ${code}` : `died of ${signal}`))
    })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${command}`)
    return { pid: child.pid, exited }
  } finally {
    closeSync(fd)
  }
}

/** Whether a process with this PID runs (an exited one that nobody reaped yet, a zombie, does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // "PID (name) STATE ...": the name may hold spaces, so the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/**
 * Whether PID still runs a process of this cluster: a PID recorded long ago may belong to another
 * program now. Where /proc exists the command line must name the data dir (every process started
 * by `up` has it in an argument); elsewhere existence has to do.
 */
export function belongsToCluster(pid: number, dataDir: string): boolean {
  if (!alive(pid)) return false
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)
  } catch {
    return !existsSync('/proc/self')
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended (or that it was not running). */
export async function stopProcess(pid: number, dataDir: string, graceMs: number): Promise<'stopped' | 'killed' | 'not running'> {
  if (!belongsToCluster(pid, dataDir)) return 'not running'
  signal(pid, 'SIGTERM')
  if (await exitsWithin(pid, graceMs)) return 'stopped'
  signal(pid, 'SIGKILL')
  await exitsWithin(pid, 5000)
  return 'killed'
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (alive(pid)) {
    if (Date.now() > deadline) return false
    await sleep(50)
  }
  return true
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The last lines of a log file, for an error message. */
export function tail(path: string, lineCount = 5): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lineCount).join('\n')
  } catch {
    return ''
  }
}
