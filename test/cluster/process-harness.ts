// Real processes for cluster fault tests: `aerolite start` children joined through a real etcd, the
// official client writing distinct values and remembering each acknowledged one, direct writes to
// one node over a raw connection, and a TCP proxy the test can cut. Every child is tracked and
// killed by stopAllProcesses() (call it from after()), and by SIGKILL at exit as a last resort.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Connection, holdsPartition, parseReplicas, replyResultCode, encodeRecordRequest } from '@aerolite/client'
import { Info2, OpType, ParticleType, computeDigest, parseInfoResponse, partitionId } from '@aerolite/protocol'
import { realEnv } from '@aerolite/server'
import { requestInfo } from '../../packages/cli/src/info-request.ts'
import { Aerospike, NS, type AerospikeClient } from '../compat/helpers.ts'

export { EtcdProcess, etcdInstalled } from '../../packages/server/test/cluster/etcd-process.ts'

const BIN = fileURLToPath(new URL('../../packages/cli/bin/aerolite.cjs', import.meta.url))

/** Heartbeat of every node here: renew every 150 ms, 10 renewals per TTL: a 2 s lease (etcd's minimum). */
export const HEARTBEAT = { intervalMs: 150, timeoutCount: 10 }
export const LEASE_TTL_MS = Math.ceil((HEARTBEAT.intervalMs * HEARTBEAT.timeoutCount) / 1000) * 1000

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A directory for configs and logs; removed by stopAllProcesses(). */
export const workDir = mkdtempSync(join(tmpdir(), 'aerolite-process-cluster-'))

/** One `aerolite start` process; start() again after kill() runs a new process on the same port. */
export class NodeProcess {
  readonly name: string
  readonly etcdEndpoint: () => string
  port = 0
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  readonly log: string
  private readonly config: string

  constructor(name: string, etcdEndpoint: () => string, replicationFactor: number) {
    this.name = name
    this.etcdEndpoint = etcdEndpoint
    this.log = join(workDir, `${name}.log`)
    this.config = join(workDir, `${name}.conf`)
    writeFileSync(this.config, [
      'network {',
      '    heartbeat {',
      '        mode etcd',
      '        etcd-endpoint 127.0.0.1:1', // replaced by --etcd
      `        interval ${HEARTBEAT.intervalMs}`,
      `        timeout ${HEARTBEAT.timeoutCount}`,
      '    }',
      '}',
      'namespace test {',
      `    replication-factor ${replicationFactor}`,
      '    storage-engine memory',
      '}',
      '',
    ].join('\n'))
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Starts the process (port 0 the first time: any free port) and waits for its ready line. */
  async start(): Promise<void> {
    const fd = openSync(this.log, 'a')
    const child = spawn(process.execPath, [BIN, 'start', '--config', this.config, '--port', String(this.port), '--etcd', this.etcdEndpoint(), '--fabric-port', '0', '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', fd],
    })
    closeSync(fd)
    this.child = child
    children.add(child)
    this.exited = new Promise((resolve) => child.once('exit', () => {
      children.delete(child)
      resolve()
    }))
    let stdout = ''
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const line = /^aerolite ready on \S+:(\d+) /m.exec(stdout)
        if (line !== null) resolve(line[1]!)
      })
      child.once('exit', (code, signal) => reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before it was ready; log:\n${this.tail()}`)))
    })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} printed no ready line within 30 s; log:\n${this.tail()}`)), 30_000)
    })
    try {
      this.port = Number(await Promise.race([ready, timeout]))
    } catch (err) {
      child.kill('SIGKILL')
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return
    this.child!.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM (the node drains and leaves), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.child!.kill('SIGTERM')
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000)
    await this.exited
    clearTimeout(timer)
  }

  tail(lines = 15): string {
    try {
      return readFileSync(this.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return ''
    }
  }
}

/** Stops every node process still running, then removes the work dir. */
export async function stopAllProcesses(nodes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop()))
  for (const child of children) child.kill('SIGKILL')
  rmSync(workDir, { recursive: true, force: true })
}

// --- info ----------------------------------------------------------------------------------------

export async function info(port: number, commands: string[], timeoutMs = 2000): Promise<Map<string, string>> {
  return parseInfoResponse(await requestInfo('127.0.0.1', port, commands, timeoutMs))
}

function statistic(statistics: string, name: string): string | undefined {
  return statistics.split(';').find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1)
}

/** Polls (every 50 ms, bounded) until check holds; resolves with the ms it took. */
export async function until(what: string, check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    let ok = false
    try {
      ok = await check()
    } catch {
      // A node that does not answer yet is "not yet".
    }
    if (ok) return Date.now() - started
    if (Date.now() - started > withinMs) assert.fail(`not within ${withinMs} ms: ${what}`)
    await sleep(50)
  }
}

export async function clusterSizeIs(nodes: readonly NodeProcess[], size: number): Promise<boolean> {
  for (const node of nodes) {
    if (Number(statistic((await info(node.port, ['statistics'])).get('statistics') ?? '', 'cluster_size')) !== size) return false
  }
  return true
}

/** Every node answers cluster-stable:size=N with one and the same cluster key. */
export async function stableAt(nodes: readonly NodeProcess[], size: number): Promise<boolean> {
  const keys = new Set<string>()
  for (const node of nodes) {
    const answer = (await info(node.port, [`cluster-stable:size=${size}`])).get(`cluster-stable:size=${size}`) ?? 'ERROR'
    if (answer.startsWith('ERROR')) return false
    keys.add(answer)
  }
  return keys.size === 1
}

/** Every partition of `test` has exactly one master and copies-1 replicas across `nodes`. */
export async function assertOwnership(nodes: readonly NodeProcess[], copies: number): Promise<void> {
  const masters = new Array<number>(4096).fill(0)
  const replicas = new Array<number>(4096).fill(0)
  for (const node of nodes) {
    const ns = parseReplicas((await info(node.port, ['replicas'])).get('replicas')!).find((entry) => entry.namespace === NS)!
    ns.bitmaps.forEach((bitmap, replicaIndex) => {
      for (let pid = 0; pid < 4096; pid++) if (holdsPartition(bitmap, pid)) (replicaIndex === 0 ? masters : replicas)[pid]!++
    })
  }
  assert.ok(masters.every((n) => n === 1), 'each partition has exactly one master')
  assert.ok(replicas.every((n) => n === copies - 1), `each partition has ${copies - 1} replica(s)`)
}

/** How many partitions of `test` the node claims as master in its replicas answer. */
export async function masterCount(node: NodeProcess): Promise<number> {
  const ns = parseReplicas((await info(node.port, ['replicas'])).get('replicas')!).find((entry) => entry.namespace === NS)!
  let count = 0
  for (let pid = 0; pid < 4096; pid++) if (holdsPartition(ns.bitmaps[0]!, pid)) count++
  return count
}

// --- direct writes to one node --------------------------------------------------------------------

/** A digest (set "probe") of a partition that `node` masters, as it says in its replicas answer. */
export async function masteredDigest(node: NodeProcess): Promise<Buffer> {
  const ns = parseReplicas((await info(node.port, ['replicas'])).get('replicas')!).find((entry) => entry.namespace === NS)!
  for (let i = 0; i < 100_000; i++) {
    const digest = computeDigest('probe', ParticleType.STRING, Buffer.from(`${node.name}-${i}`))
    if (holdsPartition(ns.bitmaps[0]!, partitionId(digest))) return digest
  }
  throw new Error(`${node.name} masters no partition`)
}

/**
 * Writes one record straight to `node` (no client routing, no retries) and resolves with the
 * result code, or -1 when no answer came within timeoutMs.
 */
export async function directWrite(node: NodeProcess, digest: Buffer, value: number, timeoutMs = 1000): Promise<number> {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(BigInt(value))
  const request = encodeRecordRequest({
    namespace: NS, set: 'probe', info2: Info2.WRITE, timeoutMs,
    ops: [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'v', value: bytes }],
  }, digest)
  let connection: Connection | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    connection = await Connection.open('127.0.0.1', node.port, { env: realEnv, connectTimeoutMs: timeoutMs })
    const answered = connection.request(request.frame).then(replyResultCode)
    const late = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(-1), timeoutMs)
    })
    return await Promise.race([answered, late])
  } catch {
    return -1
  } finally {
    clearTimeout(timer)
    connection?.destroy()
  }
}

// --- the official client and a writer of distinct values ---------------------------------------------

/** Writes retried as reads are: a node that dies mid-write is not the application's problem. */
export const CLIENT_POLICY = { totalTimeout: 4000, socketTimeout: 1000, maxRetries: 4, sleepBetweenRetries: 100 }

export async function connectClient(nodes: readonly NodeProcess[]): Promise<AerospikeClient> {
  return await Aerospike.connect({
    hosts: nodes.map((n) => ({ addr: '127.0.0.1', port: n.port })),
    policies: { read: CLIENT_POLICY, write: CLIENT_POLICY },
    log: { level: Aerospike.log.OFF },
  })
}

export interface WriterResult {
  /** key -> value of every acknowledged write. */
  acked: Map<string, number>
  attempts: number
  /** Time (Date.now()) of each failed write. */
  errorTimes: number[]
  errorCodes: Map<number, number>
}

/**
 * `concurrency` loops of puts, each to a new key with a distinct value, until stop() or a bound
 * (writes or ms). Only a put the client reports as done counts as acknowledged.
 */
export class Writer {
  private stopped = false
  private readonly done: Promise<void>
  readonly result: WriterResult = { acked: new Map(), attempts: 0, errorTimes: [], errorCodes: new Map() }

  constructor(client: AerospikeClient, prefix: string, options: { concurrency: number; maxWrites: number; maxMs: number }) {
    const deadline = Date.now() + options.maxMs
    let next = 0
    const loop = async (): Promise<void> => {
      while (!this.stopped && next < options.maxWrites && Date.now() < deadline) {
        const value = next++
        const key = `${prefix}-${value}`
        this.result.attempts++
        try {
          await client.put(new Aerospike.Key(NS, 'w', key), { v: value })
          this.result.acked.set(key, value)
        } catch (err) {
          this.result.errorTimes.push(Date.now())
          const code = (err as { code?: number }).code ?? 0
          this.result.errorCodes.set(code, (this.result.errorCodes.get(code) ?? 0) + 1)
          // A failing cluster is not hammered: the loops back off a little.
          await sleep(20)
        }
      }
    }
    this.done = Promise.all(Array.from({ length: options.concurrency }, loop)).then(() => undefined)
  }

  get ackedCount(): number {
    return this.result.acked.size
  }

  async stop(): Promise<WriterResult> {
    this.stopped = true
    await this.done
    return this.result
  }
}

/** Reads every acknowledged key back (16 at a time); returns the keys missing or with another value. */
export async function lostWrites(client: AerospikeClient, acked: ReadonlyMap<string, number>): Promise<string[]> {
  const entries = [...acked]
  const lost: string[] = []
  let next = 0
  const loop = async (): Promise<void> => {
    while (next < entries.length) {
      const [key, value] = entries[next++]!
      try {
        const record = await client.get(new Aerospike.Key(NS, 'w', key))
        if (record.bins.v !== value) lost.push(`${key}: read ${String(record.bins.v)}, acknowledged ${value}`)
      } catch (err) {
        lost.push(`${key}: ${(err as Error).message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, loop))
  return lost
}

/** "N errors between +Xms and +Yms after T" for a report. */
export function errorWindow(errorTimes: readonly number[], sinceMs: number): { count: number; firstMs: number | undefined; lastMs: number | undefined; windowMs: number } {
  if (errorTimes.length === 0) return { count: 0, firstMs: undefined, lastMs: undefined, windowMs: 0 }
  const first = Math.min(...errorTimes)
  const last = Math.max(...errorTimes)
  return { count: errorTimes.length, firstMs: first - sinceMs, lastMs: last - sinceMs, windowMs: last - first }
}

export { TcpProxy } from '../../packages/sim/src/tcp-proxy.ts'
