// Real processes for the real-process runs of the simulator's workload: an etcd child, `aerolite
// start` children (each on its own loopback address, 127.0.0.N, so an answer names its node as in
// the simulator), and a TCP proxy per node between it and etcd that can be cut. Every child is
// tracked and killed by its PID (SIGKILL at exit as a last resort); every wait is bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Connection, requestInfo } from '@aerolite/client'
import { realEnv } from '@aerolite/server'
import { freePort } from '../../cli/src/cluster-processes.ts'

const BIN = fileURLToPath(new URL('../../cli/bin/aerolite.cjs', import.meta.url))

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

function track(child: ChildProcess): Promise<void> {
  children.add(child)
  return new Promise((resolve) => child.once('exit', () => {
    children.delete(child)
    resolve()
  }))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function etcdInstalled(): boolean {
  const result = spawnSync('etcd', ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

/** Whether 127.0.0.2 can be listened on (Linux routes all of 127/8 to loopback; macOS does not). */
export async function loopbackAliases(): Promise<boolean> {
  return await freePort('127.0.0.3').then(() => true, () => false)
}

/** One info request to host:port, bounded by timeoutMs. */
export async function info(host: string, port: number, commands: string[], timeoutMs = 1000): Promise<Map<string, string>> {
  let connection: Connection | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    const work = (async () => {
      connection = await Connection.open(host, port, { env: realEnv, connectTimeoutMs: timeoutMs })
      return await requestInfo(connection, commands)
    })()
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${host}:${port} gave no info answer within ${timeoutMs} ms`)), timeoutMs)
    })
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
    connection?.destroy()
  }
}

/** etcd on free loopback ports; SIGSTOP/SIGCONT, kill -9 and start again on the same data dir. */
export class EtcdChild {
  readonly dataDir: string
  clientPort = 0
  private peerPort = 0
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private output = ''

  constructor(dataDir: string) {
    this.dataDir = dataDir
  }

  async run(): Promise<void> {
    if (this.clientPort === 0) {
      this.clientPort = await freePort()
      this.peerPort = await freePort()
    }
    const client = `http://127.0.0.1:${this.clientPort}`
    const peer = `http://127.0.0.1:${this.peerPort}`
    const child = spawn('etcd', [
      '--name', 'sim', '--data-dir', this.dataDir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `sim=${peer}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    this.exited = track(child)
    child.stderr!.on('data', (chunk: Buffer) => { this.output = (this.output + chunk.toString()).slice(-4000) })
    const started = Date.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}: ${this.output}`)
      try {
        if ((await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) })).ok) return
      } catch {
        // Not listening yet.
      }
      if (Date.now() - started > 15_000) throw new Error(`etcd did not become healthy within 15 s: ${this.output}`)
      await sleep(100)
    }
  }

  pause(): void {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, 'SIGSTOP')
  }

  resume(): void {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, 'SIGCONT')
  }

  async kill(): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await this.exited
  }

  async stop(): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }
}

export interface ClusterNodeSettings {
  nodeId: string
  dir: string
  name: string
  replicationFactor: number
  heartbeat: { intervalMs: number; timeoutCount: number }
}

/** The config of a node of the real-process cluster: etcd membership, namespace test on a file. */
export function clusterNodeConfig(settings: ClusterNodeSettings): string[] {
  return [
    // Set, not derived from the host name and port: nodes in network namespaces share both.
    `service { node-id ${settings.nodeId} }`,
    'network {',
    '    heartbeat {',
    '        mode etcd',
    '        etcd-endpoint 127.0.0.1:1', // replaced by --etcd
    `        interval ${settings.heartbeat.intervalMs}`,
    `        timeout ${settings.heartbeat.timeoutCount}`,
    '    }',
    '}',
    'namespace test {',
    `    replication-factor ${settings.replicationFactor}`,
    '    storage-engine device {',
    `        file ${join(settings.dir, `${settings.name}.dat`)}`,
    '        filesize 64M',
    '    }',
    '}',
  ]
}

export interface NodeChildOptions {
  name: string
  host: string
  dir: string
  /** The lines of its config file. */
  config: string[]
  /** Where the node reaches etcd (its proxy); unset: a node of its own, without membership. */
  etcdEndpoint?: () => string
  /** A command prefix the node runs under (a network namespace's `ip netns exec NS`, which execs it: same PID). */
  wrap?: string[]
  /** The service port (default: a free one on `host`). */
  port?: number
}

/** One `aerolite start` in its own directory; start() after kill() restarts it on its data and port. */
export class NodeChild {
  readonly options: NodeChildOptions
  port = 0
  readonly log: string
  private readonly config: string
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  /** Exits nobody asked for (a crash of the node itself), as "code/signal". */
  readonly unexpectedExits: string[] = []
  private expectingExit = false

  constructor(options: NodeChildOptions) {
    this.options = options
    this.log = join(options.dir, `${options.name}.log`)
    this.config = join(options.dir, `${options.name}.conf`)
    writeFileSync(this.config, [...options.config, ''].join('\n'))
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Starts the process and waits for its ready line (bounded). */
  async start(): Promise<void> {
    if (this.port === 0) this.port = this.options.port ?? await freePort(this.options.host)
    const fd = openSync(this.log, 'a')
    const [command, ...prefix] = [...(this.options.wrap ?? []), process.execPath]
    const child = spawn(command!, [
      ...prefix, BIN, 'start', '--config', this.config, '--port', String(this.port), '--address', this.options.host,
      ...(this.options.etcdEndpoint === undefined ? [] : ['--etcd', this.options.etcdEndpoint(), '--fabric-port', '0']), '--log-level', 'warn',
    ], { stdio: ['ignore', 'pipe', fd] })
    closeSync(fd)
    this.child = child
    this.expectingExit = false
    this.exited = track(child)
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.unexpectedExits.push(`${this.options.name} exited (code ${code}, signal ${signal})`)
    })
    let stdout = ''
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        if (/^aerolite ready on /m.test(stdout)) resolve()
      })
      child.once('exit', (code, signal) => reject(new Error(`${this.options.name} exited (code ${code}, signal ${signal}) before it was ready; log:\n${this.tail()}`)))
    })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.options.name} printed no ready line within 30 s; log:\n${this.tail()}`)), 30_000)
    })
    try {
      await Promise.race([ready, timeout])
    } catch (err) {
      this.expectingExit = true
      child.kill('SIGKILL')
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return
    this.expectingExit = true
    this.child!.kill('SIGKILL')
    await this.exited
  }

  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP')
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT')
  }

  /** SIGCONT and SIGTERM, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.expectingExit = true
    this.child!.kill('SIGCONT')
    this.child!.kill('SIGTERM')
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }

  /** Lines the node logged at error level or above (pino JSON, level >= 50). */
  errorLines(): string[] {
    return this.linesFrom(50)
  }

  /** Lines the node logged at warning level or above (pino JSON, level >= 40). */
  warningLines(): string[] {
    return this.linesFrom(40)
  }

  private linesFrom(minLevel: number): string[] {
    let text = ''
    try {
      text = readFileSync(this.log, 'utf8')
    } catch {
      return []
    }
    return text.split('\n').filter((line) => {
      const level = /"level":(\d+)/.exec(line)
      return level !== null && Number(level[1]) >= minLevel
    })
  }

  tail(lines = 15): string {
    try {
      return readFileSync(this.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return ''
    }
  }
}

