// Ships the changes of every namespace configured for one DC, every period-ms: reads each changed
// record as it is now and sends it to the DC node that masters it (the project's own client: the
// DC may be Aerolite or Aerospike). A DC that cannot be reached is retried with back-off; changes
// wait in their queues meanwhile, and a queue that overflowed is recovered by walking the
// namespace for records changed since its oldest dropped change. A partition this node newly
// masters (after a restart, or its master died) is walked from its shipped point the same way.
import { ResultCode, type Env, type Frame, type Timer } from '@aerolite/protocol'
import { Cluster, Connection, ConnectionError, replyResultCode } from '@aerolite/client'
import type { XdrDcConfig, XdrNamespaceConfig } from '../config/xdr-config.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { readBins, recordKey, recordVersionedBins } from '../record/layout.ts'
import { storedRecordMatches } from '../commands/filter.ts'
import { NamespaceShipping } from './namespace-shipping.ts'
import type { QueuedChange } from './ship-queue.ts'
import type { ShippedPointsEntry } from './shipped-points-message.ts'
import { deleteFrame, recordWriteFrame, wireFrame } from './ship-message.ts'
import type { ShippedVersion } from './shipped-version.ts'
import { xdrStatistics } from './xdr-stats.ts'

/** How an Aerolite node's `edition` answer starts (info/version.ts). */
const AEROLITE_EDITION_PREFIX = 'Aerolite'

/** Answers after which the same change is sent again later: the DC is busy or between states. */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  ResultCode.TIMEOUT, ResultCode.KEY_BUSY, ResultCode.XDR_KEY_BUSY, ResultCode.DEVICE_OVERLOAD, ResultCode.SERVER_FULL, ResultCode.PARTITION_UNAVAILABLE,
])

/** What a shipper asks of its node. */
export interface DcShipperNode {
  /** This cluster's src-id now (set-config may change it). */
  srcId: () => number
  /** Tells the other members of the cluster how far partitions shipped (nothing outside a cluster). */
  announce: (entries: ShippedPointsEntry[]) => void
}

export class DcShipper {
  readonly config: XdrDcConfig
  readonly namespaces = new Map<string, NamespaceShipping>()
  private readonly env: Env
  private readonly log: Logger
  private timer: Timer | undefined
  private busy = false
  private stopped = false
  private cluster: Cluster | undefined
  private readonly connections = new Map<string, Connection>()
  private readonly opening = new Map<string, Promise<Connection>>()
  /** Monotonic time before which the DC is not dialled again. */
  private retryAtMs = 0
  private retryDelayMs: number = limits.xdrRetryMinMs
  private inProgress = 0
  /** The last second's shipped records and their round trips. */
  private window = { startMs: 0, shipped: 0, latencySumMs: 0, throughput: 0, latencyMs: 0 }
  private lastProblem = ''
  private readonly srcId: () => number
  private readonly announce: (entries: ShippedPointsEntry[]) => void
  /** Every DC node is Aerolite: shipped records carry their version, for its conflict resolution. */
  private carriesVersions = false

  constructor(config: XdrDcConfig, namespaces: ReadonlyMap<string, Namespace>, env: Env, log: Logger, node: DcShipperNode) {
    this.config = config
    this.srcId = node.srcId
    this.announce = node.announce
    this.env = env
    this.log = log
    for (const nsConfig of config.namespaces) {
      const namespace = namespaces.get(nsConfig.name)
      if (namespace !== undefined) this.listen(new NamespaceShipping(namespace, nsConfig, env.clock))
    }
  }

  private listen(shipping: NamespaceShipping): void {
    shipping.namespace.listeners.push(shipping)
    this.namespaces.set(shipping.namespace.name, shipping)
  }

  private unlisten(shipping: NamespaceShipping): void {
    const listeners = shipping.namespace.listeners
    const at = listeners.indexOf(shipping)
    if (at >= 0) listeners.splice(at, 1)
    this.namespaces.delete(shipping.namespace.name)
  }

  /**
   * Starts shipping; call once the namespaces are open (their files hold the points a restart
   * resumes from). Without such points, changes before now need no shipping, except in a cluster
   * a memory namespace's: its records come from members that know how far they shipped.
   */
  start(inCluster: boolean): void {
    for (const shipping of this.namespaces.values()) {
      const savedMs = shipping.namespace.xdrShippedMs.get(this.config.name)
      if (savedMs !== undefined) shipping.points.reset(savedMs)
      else if (!inCluster || shipping.namespace.files !== undefined) shipping.points.trustInitial()
    }
    this.window.startMs = this.env.clock.monotonicMs()
    this.schedule()
  }

  private schedule(): void {
    this.timer?.cancel()
    this.timer = this.env.scheduler.every(this.config.periodMs, () => void this.pump())
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    for (const shipping of [...this.namespaces.values()]) this.unlisten(shipping)
    this.dropConnections()
  }

  /**
   * Starts shipping a namespace's changes from now on; with `rewindSinceMs` (a record last-update
   * time, 0 for all), first every record changed since then, by a recovery walk.
   */
  addNamespace(namespace: Namespace, nsConfig: XdrNamespaceConfig, rewindSinceMs: number | undefined): void {
    const shipping = new NamespaceShipping(namespace, nsConfig, this.env.clock)
    shipping.points.trustInitial()
    shipping.queue.recoverSinceMs = rewindSinceMs
    this.config.namespaces.push(nsConfig)
    this.listen(shipping)
  }

  /** Stops shipping a namespace; what it had not shipped yet is dropped. */
  removeNamespace(name: string): void {
    const shipping = this.namespaces.get(name)
    if (shipping === undefined) return
    this.unlisten(shipping)
    shipping.namespace.xdrShippedMs.delete(this.config.name)
    this.config.namespaces.splice(this.config.namespaces.indexOf(shipping.config), 1)
  }

  /** A namespace's settings changed (set-config): the new ones apply from the next change on. */
  namespaceConfigChanged(name: string, next: XdrNamespaceConfig): void {
    const shipping = this.namespaces.get(name)
    if (shipping === undefined) return
    this.config.namespaces[this.config.namespaces.indexOf(shipping.config)] = next
    shipping.config = next
    shipping.queue.limit = next.transactionQueueLimit
  }

  /** period-ms changed. */
  periodChanged(): void {
    if (this.timer !== undefined && !this.stopped) this.schedule()
  }

  /** The seed list changed: the DC is looked up again from its new seeds, at once. */
  seedsChanged(): void {
    this.dropConnections()
    this.retryAtMs = 0
    this.retryDelayMs = limits.xdrRetryMinMs
  }

  /** get-stats:context=xdr;dc=NAME[;namespace=NS]: one namespace's, or summed over them. */
  statistics(namespace?: string): Array<[string, number]> | undefined {
    const chosen = namespace === undefined ? [...this.namespaces.values()] : [this.namespaces.get(namespace)].filter((s) => s !== undefined)
    if (chosen.length === 0 && namespace !== undefined) return undefined
    const nowMs = this.env.clock.monotonicMs()
    this.rollWindow(nowMs)
    const sum = (pick: (s: NamespaceShipping) => number): number => chosen.reduce((total, s) => total + pick(s), 0)
    const oldest = Math.min(...chosen.map((s) => s.queue.oldestNotedAtMs ?? nowMs))
    return xdrStatistics({
      success: sum((s) => s.counters.success),
      abandoned: sum((s) => s.counters.abandoned),
      notFound: sum((s) => s.counters.notFound),
      filteredOut: sum((s) => s.counters.filteredOut),
      retryConnReset: sum((s) => s.counters.retryConnReset),
      retryDest: sum((s) => s.counters.retryDest),
      retryNoNode: sum((s) => s.counters.retryNoNode),
      recoveries: sum((s) => s.counters.recoveries),
    }, {
      inQueue: sum((s) => s.queue.length),
      inProgress: this.inProgress,
      lagSeconds: Math.floor(Math.max(0, nowMs - oldest) / 1000),
      recoveriesPending: sum((s) => (s.queue.recoverSinceMs === undefined ? 0 : 1)),
      hotKeys: sum((s) => s.queue.hotKeys),
      throughput: this.window.throughput,
      latencyMs: this.window.latencyMs,
    })
  }

  /** One period's work: recover overflowed queues, then ship what is due, within max-throughput. */
  private async pump(): Promise<void> {
    if (this.busy || this.stopped) return
    this.busy = true
    try {
      const nowMs = this.env.clock.monotonicMs()
      for (const shipping of this.namespaces.values()) {
        this.followMastership(shipping)
        this.recover(shipping)
      }
      if (nowMs < this.retryAtMs || ![...this.namespaces.values()].some((s) => s.queue.length > 0)) return
      const cluster = await this.connect()
      if (cluster === undefined) return
      const sends: Array<Promise<void>> = []
      for (const shipping of this.namespaces.values()) {
        const budget = Math.max(1, Math.floor((shipping.config.maxThroughput * this.config.periodMs) / 1000))
        const due = shipping.queue.take(Math.min(budget, limits.xdrMaxInFlight - this.inProgress), nowMs - shipping.config.delayMs, nowMs, shipping.config.hotKeyMs)
        for (const change of due) sends.push(this.ship(cluster, shipping, change))
      }
      await Promise.all(sends)
    } finally {
      this.busy = false
    }
  }

  /** Walks the namespace for records changed since the oldest change the full queue dropped. */
  private recover(shipping: NamespaceShipping): void {
    const since = shipping.queue.recoverSinceMs
    if (since === undefined || shipping.queue.length > 0) return
    shipping.queue.recoverSinceMs = undefined
    shipping.counters.recoveries++
    const ns = shipping.namespace
    const pids = []
    for (let pid = 0; pid < limits.partitions; pid++) if (ns.shipsFrom(pid)) pids.push(pid)
    this.walk(shipping, pids, () => since)
    this.log.info({ dc: this.config.name, ns: ns.name, since, queued: shipping.queue.length }, 'xdr: recovering changes the full queue dropped')
  }

  /**
   * Partitions this node masters now and did not before ship again what changed since their
   * shipped point: what a dead master, or this node before its restart, had not shipped yet. The
   * points of partitions handed over go to their new master at once.
   */
  private followMastership(shipping: NamespaceShipping): void {
    const ns = shipping.namespace
    const { takeOver, handedOver } = shipping.points.follow((pid) => ns.shipsFrom(pid), (pid) => ns.entriesOf(pid).length === 0 && ns.tombstones.index.entriesOf(pid).length === 0, this.env.clock.monotonicMs(), limits.xdrShippedPointWaitMs)
    // The walk first: the announcement below tells the points of every partition this node masters,
    // and a partition taken over counts as shipped up to now until its walk has queued what its old
    // master had not shipped. Told that, a member that takes it over next would skip those changes.
    if (takeOver.length > 0) {
      const since = new Map(takeOver)
      const before = shipping.queue.length
      this.walk(shipping, [...since.keys()], (pid) => since.get(pid)! - limits.xdrRewindMarginMs)
      const queued = shipping.queue.length - before
      if (queued > 0) this.log.info({ dc: this.config.name, ns: ns.name, partitions: since.size, queued }, 'xdr: shipping again what newly mastered partitions had not shipped')
    }
    if (handedOver.length > 0) {
      shipping.points.refresh(shipping.queue, this.env.clock.nowMs(), handedOver)
      this.announce([{ dc: this.config.name, namespace: ns.name, points: shipping.points.own(handedOver) }])
    }
  }

  /** Queues every record and delete (tombstone) of the partitions last updated at or after their `sinceMs`. */
  private walk(shipping: NamespaceShipping, pids: readonly number[], sinceMs: (pid: number) => number): void {
    const ns = shipping.namespace
    const tombstones = ns.tombstones.index
    const nowMs = this.env.clock.monotonicMs()
    const digest = Buffer.alloc(20)
    for (const pid of pids) {
      const since = sinceMs(pid)
      for (const id of ns.entriesOf(pid)) {
        if (!ns.isLive(id) || ns.lastUpdateMsOf(id) < since || !shipping.shipsSet(ns.setOf(id)?.name ?? '')) continue
        ns.digestInto(id, digest)
        shipping.queue.note(digest, pid, nowMs, ns.lastUpdateMsOf(id))
      }
      for (const id of tombstones.entriesOf(pid)) {
        if (tombstones.lastUpdateMs(id) < since || !shipping.shipsSet(ns.sets.byIdOf(tombstones.setId(id))?.name ?? '')) continue
        tombstones.digestInto(id, digest)
        shipping.queue.note(digest, pid, nowMs, tombstones.lastUpdateMs(id))
      }
    }
  }

  /** Recomputes the shipped points of the partitions this node masters; for the other members. */
  ownShippedPoints(): ShippedPointsEntry[] {
    const nowMs = this.env.clock.nowMs()
    return [...this.namespaces.values()].map((shipping) => {
      shipping.points.refresh(shipping.queue, nowMs)
      return { dc: this.config.name, namespace: shipping.namespace.name, points: shipping.points.own() }
    })
  }

  /** A member told how far the partitions it masters have shipped. */
  shippedPointsReceived(entry: ShippedPointsEntry): void {
    const shipping = this.namespaces.get(entry.namespace)
    if (shipping === undefined) return
    for (const [pid, pointMs] of entry.points) shipping.points.received(pid, pointMs)
  }

  /** Keeps the lowest shipped point of each namespace for a restart (written with the files' headers). */
  saveShippedPoints(): void {
    const nowMs = this.env.clock.nowMs()
    for (const shipping of this.namespaces.values()) {
      shipping.points.refresh(shipping.queue, nowMs)
      shipping.namespace.xdrShippedMs.set(this.config.name, shipping.points.lowest())
    }
  }

  private async ship(cluster: Cluster, shipping: NamespaceShipping, change: QueuedChange): Promise<void> {
    try {
      await this.send(cluster, shipping, change)
    } finally {
      shipping.queue.settle(change)
    }
  }

  private async send(cluster: Cluster, shipping: NamespaceShipping, change: QueuedChange): Promise<void> {
    // A partition handed over is the new master's to ship, from the point this node told it (and a
    // record this node no longer holds is not a delete).
    if (!shipping.namespace.shipsFrom(change.pid)) return
    const message = this.frameOf(shipping, change)
    if (message === undefined) return
    const frame = wireFrame(message, shipping.config.enableCompression)
    const node = cluster.masterNode(shipping.remoteNamespace, change.digest)
    if (node === undefined) {
      shipping.counters.retryNoNode++
      shipping.queue.retry(change)
      this.dropConnections()
      return
    }
    const sentMs = this.env.clock.monotonicMs()
    this.inProgress++
    let reply: Frame
    let timer: Timer | undefined
    try {
      const connection = await this.connection(node.host, node.port)
      // Closing the connection fails every record waiting on it: all go back to their queues.
      timer = this.env.scheduler.after(limits.xdrRequestTimeoutMs, () => connection.destroy(new ConnectionError('ERR_TIMEOUT', `no answer within ${limits.xdrRequestTimeoutMs} ms`)))
      reply = await connection.request(frame)
    } catch (err) {
      if (this.stopped) return
      shipping.counters.retryConnReset++
      shipping.queue.retry(change)
      this.problem(`connection to ${node.host}:${node.port} failed: ${err instanceof Error ? err.message : String(err)}`)
      this.dropConnections()
      return
    } finally {
      timer?.cancel()
      this.inProgress--
    }
    const code = replyResultCode(reply)
    // A delete of a record the DC does not have (or a touch of one, with no bins shipped) leaves it
    // as here; a lost conflict leaves the DC with a newer version, which ships back from there.
    if (code === ResultCode.OK || code === ResultCode.RECORD_NOT_FOUND || code === ResultCode.LOST_CONFLICT) {
      this.shipped(shipping, sentMs)
    } else if (RETRYABLE_CODES.has(code)) {
      shipping.counters.retryDest++
      shipping.queue.retry(change)
    } else {
      shipping.counters.abandoned++
      this.problem(`dc ${this.config.name} refused a record of ${shipping.namespace.name} with result code ${code}`)
    }
    this.retryDelayMs = limits.xdrRetryMinMs
  }

  /** The write of the record as it is now, a delete when it is gone, or undefined when it expired unshipped. */
  private frameOf(shipping: NamespaceShipping, change: QueuedChange): Buffer | undefined {
    const ns = shipping.namespace
    const id = ns.find(change.digest, change.pid)
    if (id < 0) {
      const expired = ns.findAny(change.digest, change.pid) >= 0
      if (expired && !shipping.config.shipNsupDeletes) {
        shipping.counters.notFound++
        return undefined
      }
      const deletedAtMs = ns.tombstones.deleteOf(change.pid, change.digest)?.lastUpdateMs ?? change.lastUpdateMs
      const version = this.versionOf(deletedAtMs)
      // With ship-bin-luts a delete goes as one that removes the bins older than it.
      return deleteFrame(shipping.remoteNamespace, '', change.digest, version && shipping.config.shipBinLuts ? { ...version, bins: { floor: undefined, stamps: [] } } : version)
    }
    if (shipping.filter !== undefined && !storedRecordMatches(shipping.filter.expression, ns, id)) {
      shipping.counters.filteredOut++
      return undefined
    }
    const { buf, at } = ns.location(id)
    const voidTime = ns.voidTimeOf(id)
    const ttlSeconds = voidTime === 0 ? 0 : Math.max(1, voidTime - ns.nowVoidTime())
    const version = this.versionOf(ns.lastUpdateMsOf(id))
    const versioned = version !== undefined && shipping.config.shipBinLuts ? recordVersionedBins(buf, at, version.srcId) : undefined
    const record = { setName: ns.setOf(id)?.name ?? '', key: recordKey(buf, at), bins: versioned?.bins ?? readBins(buf, at), ttlSeconds, versions: versioned?.versions }
    return recordWriteFrame(shipping.remoteNamespace, change.digest, record, shipping.config, change.changedBins, version)
  }

  /** The version a change ships with, when the DC resolves conflicts by it (only Aerolite reads it). */
  private versionOf(lastUpdateMs: number): ShippedVersion | undefined {
    return this.carriesVersions ? { lastUpdateMs, srcId: this.srcId() } : undefined
  }

  private shipped(shipping: NamespaceShipping, sentMs: number): void {
    shipping.counters.success++
    const nowMs = this.env.clock.monotonicMs()
    this.rollWindow(nowMs)
    this.window.shipped++
    this.window.latencySumMs += nowMs - sentMs
  }

  /** Closes the last second's window of throughput and latency when a second has passed. */
  private rollWindow(nowMs: number): void {
    const w = this.window
    const elapsedMs = nowMs - w.startMs
    if (elapsedMs < 1000) return
    w.throughput = Math.round((w.shipped * 1000) / elapsedMs)
    w.latencyMs = w.shipped === 0 ? 0 : Math.round(w.latencySumMs / w.shipped)
    w.startMs = nowMs
    w.shipped = 0
    w.latencySumMs = 0
  }

  /** The DC's nodes and partition map, learned from its seeds; undefined (and a back-off) when none answers. */
  private async connect(): Promise<Cluster | undefined> {
    if (this.cluster !== undefined) return this.cluster
    try {
      const cluster = await Cluster.connect({ env: this.env, seeds: this.config.nodes, connectTimeoutMs: limits.xdrConnectTimeoutMs })
      // Stopped meanwhile: nothing may keep a socket open after stop().
      if (this.stopped) {
        cluster.close()
        return undefined
      }
      this.cluster = cluster
      this.carriesVersions = cluster.nodes.every((node) => node.edition.startsWith(AEROLITE_EDITION_PREFIX))
      this.log.info({ dc: this.config.name, nodes: this.cluster.nodes.length }, 'xdr: connected to the DC')
      this.lastProblem = ''
      return this.cluster
    } catch (err) {
      for (const shipping of this.namespaces.values()) if (shipping.queue.length > 0) shipping.counters.retryNoNode++
      this.problem(`dc ${this.config.name} cannot be reached: ${err instanceof Error ? err.message : String(err)}`)
      this.backOff()
      return undefined
    }
  }

  /** The data connection to a DC node: one per node, opened once however many sends ask for it at once. */
  private connection(host: string, port: number): Promise<Connection> {
    const key = `${host}:${port}`
    const open = this.connections.get(key)
    if (open?.isOpen === true) return Promise.resolve(open)
    let opening = this.opening.get(key)
    if (opening === undefined) {
      opening = Connection.open(host, port, { env: this.env, connectTimeoutMs: limits.xdrConnectTimeoutMs }).then((connection) => {
        // Stopped (or reset) meanwhile: nothing may keep a socket open that no one will close.
        if (this.stopped || this.opening.get(key) !== opening) {
          connection.destroy()
          throw new Error(`the connection to ${key} is no longer wanted`)
        }
        this.connections.set(key, connection)
        return connection
      }).finally(() => {
        if (this.opening.get(key) === opening) this.opening.delete(key)
      })
      this.opening.set(key, opening)
    }
    return opening
  }

  private dropConnections(): void {
    this.cluster?.close()
    this.cluster = undefined
    for (const connection of this.connections.values()) connection.destroy()
    this.connections.clear()
    this.opening.clear()
    this.backOff()
  }

  private backOff(): void {
    this.retryAtMs = this.env.clock.monotonicMs() + this.retryDelayMs
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, limits.xdrRetryMaxMs)
  }

  /** Logs a problem once until it changes (a DC down for an hour is one line, not thousands). */
  private problem(text: string): void {
    if (text === this.lastProblem) return
    this.lastProblem = text
    this.log.warn({ dc: this.config.name }, `xdr: ${text}`)
  }
}
