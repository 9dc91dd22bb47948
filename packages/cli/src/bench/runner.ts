// The load loop. Each command slot has one command in flight at a time and its own pre-encoded
// requests; slot i uses connection i mod --connections of whichever node masters its key, so each
// connection carries at most --inflight commands. A reply, a failure or a rate timer starts the
// slot's next command.
import { realEnv } from '@aerolite/server'
import { Cluster, ConnectionError, ConnectionPool, replyResultCode, type RecordRequest, type ReplyWaiter } from '@aerolite/client'
import { ResultCode, type Frame } from '@aerolite/protocol'
import { Counters } from './counters.ts'
import { randomKeys, sequentialKeys, type KeyChooser } from './key-chooser.ts'
import { KeyDigests } from './key-digests.ts'
import type { BenchOptions } from './options.ts'
import { processCpuMicros } from './process-cpu.ts'
import { Random } from './random.ts'
import { slotRequests, type SlotRequests } from './requests.ts'

/** Error codes for failures that have no server result code (as the official clients number them). */
export const CLIENT_ERROR = -1
export const NO_NODE_ERROR = -8

const PROGRESS_INTERVAL_MS = 1000
const RETRY_DELAY_MS = 100
const MIN_LAST_INTERVAL_SECONDS = 0.25

export interface IntervalReport {
  /** Seconds since the start, at the end of the interval. */
  elapsedSeconds: number
  intervalSeconds: number
  counters: Counters
}

export interface RunResult {
  cluster: { nodes: { name: string; host: string; port: number; build: string }[] }
  startedAt: string
  setupMs: number
  elapsedSeconds: number
  total: Counters
  intervals: { elapsedSeconds: number; readsPerSecond: number; writesPerSecond: number; errors: number; timeouts: number; p50Ns: number; p99Ns: number }[]
  generatorCpuMicros: number
  serverCpuMicros: number | undefined
}

export class RunError extends Error {
  readonly code = 'ERR_BENCH'
}

export async function runBench(options: BenchOptions, onInterval: (report: IntervalReport) => void): Promise<RunResult> {
  const setupStartMs = performance.now()
  if (options.serverPid !== undefined) {
    try {
      processCpuMicros(options.serverPid)
    } catch (err) {
      throw new RunError(`--server-pid: ${(err as Error).message}`)
    }
  }
  const cluster = await Cluster.connect({ env: realEnv, seeds: [{ host: options.host, port: options.port }], connectTimeoutMs: Math.max(1000, options.timeoutMs) })
  const pools: ConnectionPool[] = []
  try {
    const served = cluster.partitions.namespaces()
    if (!served.includes(options.namespace)) throw new RunError(`namespace "${options.namespace}" is not served by the cluster at ${options.host}:${options.port} (it serves: ${served.join(', ') || 'none'})`)
    for (const node of cluster.nodes) pools.push(await ConnectionPool.open(node.host, node.port, options.connections, { env: realEnv, connectTimeoutMs: Math.max(1000, options.timeoutMs) }))
    const run = new Run(options, cluster, pools, onInterval)
    const setupMs = performance.now() - setupStartMs
    const result = await run.start()
    return { ...result, setupMs, cluster: { nodes: cluster.nodes.map(({ name, host, port, build }) => ({ name, host, port, build })) } }
  } finally {
    for (const pool of pools) pool.close()
    cluster.close()
  }
}

class Run {
  readonly options: BenchOptions
  readonly pools: ConnectionPool[]
  readonly masters: Int16Array
  readonly digests: KeyDigests
  readonly keys: KeyChooser
  readonly random: Random
  readonly interval = new Counters()
  readonly total = new Counters()
  readonly intervals: RunResult['intervals'] = []
  readonly onInterval: (report: IntervalReport) => void
  readonly slots: Slot[] = []
  readonly rateIntervalMs: number
  stopping = false
  issued = 0
  startMs = 0
  private idleSlots = 0
  private lastIntervalMs = 0
  private finish: (() => void) | undefined

  constructor(options: BenchOptions, cluster: Cluster, pools: ConnectionPool[], onInterval: (report: IntervalReport) => void) {
    this.options = options
    this.pools = pools
    this.masters = cluster.partitions.masterTable(options.namespace)!
    this.onInterval = onInterval
    this.random = new Random(options.seed)
    this.digests = new KeyDigests(options.set, options.keyStart, options.keys)
    this.keys = options.workload.kind === 'insert' ? sequentialKeys(options.keys) : randomKeys(options.keys, options.distribution, this.random)
    this.rateIntervalMs = options.ratePerSecond > 0 ? 1000 / options.ratePerSecond : 0
    // Values come from their own generator, so the key sequence depends only on the seed.
    const valueRandom = new Random(options.seed ^ 0x5bd1e995)
    for (let i = 0; i < options.connections * options.inflight; i++) this.slots.push(new Slot(this, i % options.connections, slotRequests(options, valueRandom)))
  }

  async start(): Promise<Omit<RunResult, 'cluster' | 'setupMs'>> {
    const startedAt = new Date().toISOString()
    const serverPid = this.options.serverPid
    const serverCpuStart = serverPid === undefined ? 0 : processCpuMicros(serverPid)
    const generatorCpuStart = process.cpuUsage()
    this.startMs = performance.now()
    this.lastIntervalMs = this.startMs
    const done = new Promise<void>((resolve) => (this.finish = resolve))
    const ticker = setInterval(() => this.tick(false), PROGRESS_INTERVAL_MS)
    const sweeper = setInterval(() => this.sweepTimeouts(), Math.min(100, Math.max(1, this.options.timeoutMs / 4)))
    const limit = this.options.durationSeconds === undefined ? undefined : setTimeout(() => this.stop(), this.options.durationSeconds * 1000)
    for (const slot of this.slots) slot.issue()
    await done
    const endMs = performance.now()
    clearInterval(ticker)
    clearInterval(sweeper)
    clearTimeout(limit)
    this.tick(true)
    const generatorCpu = process.cpuUsage(generatorCpuStart)
    return {
      startedAt,
      elapsedSeconds: (endMs - this.startMs) / 1000,
      total: this.total,
      intervals: this.intervals,
      generatorCpuMicros: generatorCpu.user + generatorCpu.system,
      serverCpuMicros: serverPid === undefined ? undefined : processCpuMicros(serverPid) - serverCpuStart,
    }
  }

  /** Takes an operation from the budget; false once the run is over. */
  takeOperation(): boolean {
    if (this.stopping) return false
    if (this.options.ops !== undefined && this.issued >= this.options.ops) {
      // Operations already taken (some may wait on a rate timer) still run.
      this.stopping = true
      return false
    }
    this.issued++
    return true
  }

  /** Time is up: nothing new starts, and operations still waiting on a rate timer are dropped. */
  stop(): void {
    this.stopping = true
    for (const slot of this.slots) slot.cancelTimer()
  }

  slotIdle(): void {
    this.idleSlots++
    if (this.idleSlots === this.slots.length) this.finish?.()
  }

  private tick(last: boolean): void {
    const nowMs = performance.now()
    const seconds = (nowMs - this.lastIntervalMs) / 1000
    this.lastIntervalMs = nowMs
    const counters = this.interval
    const hadOps = counters.reads + counters.writes + counters.errors + counters.timeouts > 0
    // A last sliver of a second gives a meaningless rate; it still counts in the totals.
    const reportLast = hadOps && (seconds >= MIN_LAST_INTERVAL_SECONDS || this.intervals.length === 0)
    if (!last || reportLast) {
      const latency = counters.latencyNs()
      this.intervals.push({
        elapsedSeconds: (nowMs - this.startMs) / 1000,
        readsPerSecond: counters.reads / seconds,
        writesPerSecond: counters.writes / seconds,
        errors: counters.errors,
        timeouts: counters.timeouts,
        p50Ns: latency.valueAtQuantile(0.5),
        p99Ns: latency.valueAtQuantile(0.99),
      })
      this.onInterval({ elapsedSeconds: (nowMs - this.startMs) / 1000, intervalSeconds: seconds, counters })
    }
    this.total.add(counters)
    counters.reset()
  }

  private sweepTimeouts(): void {
    const deadline = performance.now() - this.options.timeoutMs
    for (const slot of this.slots) slot.checkTimeout(deadline)
  }
}

/** One command at a time: choose, patch, send, count, repeat. */
class Slot implements ReplyWaiter {
  private readonly run: Run
  private readonly lane: number
  private readonly requests: SlotRequests
  private request: RecordRequest
  private isRead = false
  private nodeIndex = 0
  private sentAtMs = -1
  private timer: NodeJS.Timeout | undefined
  private readonly sendNow = (): void => this.send()
  private readonly issueNow = (): void => this.issue()

  constructor(run: Run, lane: number, requests: SlotRequests) {
    this.run = run
    this.lane = lane
    this.requests = requests
    this.request = requests.write
  }

  issue(): void {
    const run = this.run
    if (!run.takeOperation()) return run.slotIdle()
    const keyIndex = run.keys.next()
    if (keyIndex < 0) {
      run.stopping = true
      return run.slotIdle()
    }
    const workload = run.options.workload
    this.isRead = workload.kind !== 'insert' && run.random.percent() < workload.readPercent
    this.request = this.isRead ? this.requests.read : this.requests.write
    const frame = this.request.frame
    const at = this.request.digestOffset
    run.digests.copyDigest(keyIndex, frame, at)
    if (this.request.keyValueOffset >= 0) run.digests.writeKey(keyIndex, frame, this.request.keyValueOffset)
    this.nodeIndex = run.masters[(frame[at]! | (frame[at + 1]! << 8)) & 0xfff]!
    if (run.rateIntervalMs > 0) {
      const waitMs = run.startMs + (run.issued - 1) * run.rateIntervalMs - performance.now()
      if (waitMs >= 1) {
        this.timer = setTimeout(this.sendNow, waitMs)
        return
      }
    }
    this.send()
  }

  cancelTimer(): void {
    if (this.timer === undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
    // The operation it held was never sent.
    this.run.slotIdle()
  }

  private send(): void {
    this.timer = undefined
    if (this.nodeIndex < 0) {
      this.run.interval.countError(NO_NODE_ERROR)
      setImmediate(this.issueNow)
      return
    }
    const pool = this.run.pools[this.nodeIndex]!
    const connection = pool.at(this.lane)
    if (connection === undefined) {
      pool.reconnect(this.lane).then(this.sendNow, () => {
        this.run.interval.countError(CLIENT_ERROR)
        this.timer = setTimeout(this.issueNow, RETRY_DELAY_MS)
      })
      return
    }
    this.sentAtMs = performance.now()
    connection.send(this.request.frame, this)
  }

  onReply(frame: Frame): void {
    const latencyNs = (performance.now() - this.sentAtMs) * 1e6
    this.sentAtMs = -1
    const counters = this.run.interval
    let code: number
    try {
      code = replyResultCode(frame)
    } catch {
      code = CLIENT_ERROR
    }
    if (code === ResultCode.OK || (code === ResultCode.RECORD_NOT_FOUND && this.isRead)) {
      if (this.isRead) {
        counters.reads++
        if (code !== ResultCode.OK) counters.readsNotFound++
        counters.readLatencyNs.record(latencyNs)
      } else {
        counters.writes++
        counters.writeLatencyNs.record(latencyNs)
      }
    } else if (code === ResultCode.TIMEOUT) counters.timeouts++
    else counters.countError(code)
    this.issue()
  }

  onFailure(error: ConnectionError): void {
    this.sentAtMs = -1
    if (error.code === 'ERR_TIMEOUT') this.run.interval.timeouts++
    else this.run.interval.countError(CLIENT_ERROR)
    // The next command reconnects; never from inside the failing connection's own callback.
    setImmediate(this.issueNow)
  }

  checkTimeout(deadlineMs: number): void {
    if (this.sentAtMs < 0 || this.sentAtMs > deadlineMs) return
    const connection = this.run.pools[this.nodeIndex]!.at(this.lane)
    connection?.destroy(new ConnectionError('ERR_TIMEOUT', `no reply within ${this.run.options.timeoutMs} ms`))
  }
}
