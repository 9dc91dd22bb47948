// Wires a node together: namespaces, the client service, info commands, background sweeps.
// Lifecycle: start() -> serving -> drain() -> stopped.
import { ProtoType, encodeFrame, type Env, type Message, type Timer } from '@aerolite/protocol'
import { limits } from './limits.ts'
import type { ServerConfig } from './config/index.ts'
import type { CommandContext } from './commands/context.ts'
import { dispatchMessage, executeProxiedCommand, type DispatchResult } from './commands/dispatch.ts'
import { ClusterMember } from './cluster/cluster-member.ts'
import { Fabric } from './cluster/fabric/fabric.ts'
import type { Membership } from './cluster/membership.ts'
import { MetadataSync } from './cluster/metadata-sync.ts'
import { Quiesce } from './cluster/quiesce.ts'
import { StoreMembership } from './cluster/membership-client.ts'
import { EtcdStore } from './cluster/etcd-store.ts'
import { NO_PLANTED_FAULTS, type PlantedFaults } from './cluster/planted-faults.ts'
import { AEROSPIKE_COMPATIBLE_BUILD } from './info/version.ts'
import { realEnv } from './env/real-env.ts'
import { answerInfo } from './info/registry.ts'
import type { NodeContext } from './info/context.ts'
import { createLogger, type Logger } from './log.ts'
import { Namespace } from './namespace/namespace.ts'
import { ExpirySweeper } from './namespace/nsup.ts'
import { deriveNodeId } from './node-id.ts'
import { ServiceListener } from './service/listener.ts'
import { newServiceStats, type ServiceStats } from './service/stats.ts'
import { Defragmenter } from './storage/defrag.ts'
import { Evictor } from './namespace/eviction.ts'
import { Ticker } from './ticker.ts'
import { UdfRuntime } from './udf/runtime.ts'
import { CommandTiming } from './metrics/command-timing.ts'
import type { HttpServer } from './metrics/http-server.ts'
import { LatencyHistograms } from './metrics/latency-histograms.ts'
import { LatencySlices } from './metrics/latency-slices.ts'
import { collectNodeMetrics } from './metrics/node-metrics.ts'
import { consoleState, serveNodeState } from './metrics/console-api.ts'
import { nodeState, type NodeState } from './metrics/console-state.ts'
import { XdrShipping } from './xdr/xdr-shipping.ts'

export interface NodeOptions {
  /** The clock, timers, randomness, files and sockets the node uses (default: the real ones). */
  env?: Env
  logger?: Logger
  /** Cluster membership kept in this process (embedded clusters, the simulator). */
  membership?: Membership
  /** Deliberate bugs for the simulator's proof that its checker fails; never set by the product. */
  plantedFaults?: PlantedFaults
}

export class AeroliteNode implements NodeContext {
  readonly config: ServerConfig
  readonly namespaces = new Map<string, Namespace>()
  readonly serviceStats: ServiceStats = newServiceStats()
  readonly startedAtMs: number
  readonly log: Logger
  nodeId = ''
  readonly env: Env
  readonly udf: UdfRuntime
  readonly quiesce: Quiesce
  readonly xdr: XdrShipping
  readonly latencies: LatencyHistograms
  readonly latencySlices: LatencySlices
  private readonly timing: CommandTiming
  private readonly dispatch: (message: Message) => DispatchResult
  private phase: 'created' | 'starting' | 'serving' | 'draining' | 'stopped' = 'created'
  private http: HttpServer | undefined
  private httpBound: { host: string; port: number } | undefined
  private readonly commands: CommandContext
  private lastJobId = 0n
  private readonly sweepers = new Map<string, ExpirySweeper>()
  private readonly defragmenters: Defragmenter[] = []
  private readonly evictors: Evictor[] = []
  private readonly listener: ServiceListener
  private readonly ticker: Ticker
  private storageTimer: Timer | undefined
  private readonly opened: Namespace[] = []
  private endpoint = { host: '127.0.0.1', port: 0 }
  private membership: Membership | undefined
  private membershipStore: EtcdStore | undefined
  private fabric: Fabric | undefined
  private readonly plantedFaults: PlantedFaults
  cluster: ClusterMember | undefined
  clusterMetadata: MetadataSync | undefined

  constructor(config: ServerConfig, options: NodeOptions = {}) {
    if (config.namespaces.length > limits.maxNamespaces) throw new Error(`at most ${limits.maxNamespaces} namespaces are supported, ${config.namespaces.length} configured`)
    this.config = config
    this.env = options.env ?? realEnv
    this.log = options.logger ?? createLogger(config.logging)
    this.udf = new UdfRuntime(this.env)
    this.udf.logTo(this.log)
    this.quiesce = new Quiesce(this.log)
    this.startedAtMs = this.env.clock.nowMs()
    for (const nsConfig of config.namespaces) {
      const ns = new Namespace(nsConfig, this.env, this.log)
      this.namespaces.set(ns.name, ns)
      this.sweepers.set(ns.name, new ExpirySweeper(ns, this.log))
      this.defragmenters.push(new Defragmenter(ns))
      this.evictors.push(new Evictor(ns, this.log, this.env.scheduler))
    }
    this.membership = options.membership
    this.plantedFaults = options.plantedFaults ?? NO_PLANTED_FAULTS
    this.xdr = new XdrShipping(config.xdr, this.namespaces, this.env, this.log)
    this.latencies = new LatencyHistograms([...this.namespaces.keys()])
    this.latencySlices = new LatencySlices(this.latencies, this.env.clock)
    this.timing = new CommandTiming(this.latencies, this.env.clock, [...this.namespaces.values()].map((ns) => ns.counters))
    const node = this
    this.commands = {
      namespace: (name) => this.namespaces.get(name),
      udf: this.udf,
      newJobId: () => this.newJobId(),
      get routing() {
        return node.cluster
      },
      get ownership() {
        return node.cluster
      },
      get xdrSrcId() {
        return node.xdr.config.srcId
      },
    }
    this.dispatch = (message) => dispatchMessage(message, this.commands)
    this.listener = new ServiceListener(config, {
      info: (body) => {
        this.serviceStats.infoRequests++
        if (!this.udf.isReady && body.includes('udf-put')) {
          // udf-put compiles the module: right after start it waits for the Lua VM.
          const answerLater = async function* (node: AeroliteNode): AsyncGenerator<Buffer> {
            await node.udf.ready
            yield encodeFrame(ProtoType.INFO, await answerInfo(node, body))
          }
          return { stream: () => answerLater(this) }
        }
        const answer = answerInfo(this, body)
        if (Buffer.isBuffer(answer)) return encodeFrame(ProtoType.INFO, answer)
        // A cluster metadata change answers once this node applied it.
        return { stream: () => infoFrameLater(answer) }
      },
      message: (message) => {
        this.serviceStats.messageRequests++
        return this.timing.timed(message, this.dispatch)
      },
    }, this.serviceStats, this.log, this.env)
    this.ticker = new Ticker(this.namespaces, this.log, this.env)
  }

  /** Opens the namespaces' files, listens on the configured address and port (0 = any free port) and starts background work. */
  async start(): Promise<{ host: string; port: number }> {
    const { address, port } = this.config.network.service
    this.phase = 'starting'
    let bound: { host: string; port: number }
    try {
      // First, so health probes see the process while its namespaces load.
      await this.startHttp()
      for (const ns of this.namespaces.values()) {
        await ns.open(this.log)
        this.opened.push(ns)
      }
      bound = await this.listener.listen(address, port)
    } catch (err) {
      await this.http?.close()
      await this.closeNamespaces()
      throw err
    }
    this.endpoint = { host: this.config.network.service.accessAddress ?? (address === '0.0.0.0' ? '127.0.0.1' : bound.host), port: this.config.network.service.accessPort ?? bound.port }
    this.nodeId = this.config.service.nodeId ?? deriveNodeId(bound.port)
    if (this.membership === undefined && this.config.network.heartbeat.mode === 'etcd') this.membership = await this.etcdMembership()
    if (this.membership !== undefined) await this.joinCluster(this.membership)
    for (const sweeper of this.sweepers.values()) sweeper.schedule()
    for (const defrag of this.defragmenters) defrag.start(limits.defragIntervalMs)
    this.storageTimer = this.env.scheduler.every(limits.storageTickMs, () => this.evict())
    this.startTicker()
    // Commands are read from here on: a cluster node has joined and computed its first plans.
    this.listener.serve()
    this.xdr.start()
    this.phase = 'serving'
    // The Lua VM (~30 ms of loading and compiling WebAssembly) warms up once the node has said it
    // is ready; the few commands that need it before then wait for it.
    this.env.scheduler.soon(() => void this.udf.start())
    return bound
  }

  /** The HTTP port, when configured: /metrics, /health, /ready. */
  private async startHttp(): Promise<void> {
    const { http, service } = this.config.network
    if (http.port === undefined) return
    // Loaded only here: Node's HTTP modules cost ~2 ms of a start that serves no HTTP port.
    const { HttpServer } = await import('./metrics/http-server.ts')
    this.http = new HttpServer({
      metrics: () => this.phase === 'serving' ? collectNodeMetrics({ node: this, histograms: this.latencies, slices: this.latencySlices }) : undefined,
      notReadyBecause: () => this.notReadyBecause(),
      consoleState: () => this.phase === 'serving'
        ? consoleState({
          localState: () => this.consoleNodeState(),
          cluster: this.fabric === undefined ? undefined : { view: this.cluster?.currentView(), fabric: this.fabric },
          alertmanagerUrl: http.alertmanagerUrl,
          env: this.env,
        })
        : undefined,
    }, this.env.network, this.log)
    this.httpBound = await this.http.listen(http.address ?? service.address, http.port)
  }

  /** What the web console shows of this node. */
  private consoleNodeState(): NodeState {
    return nodeState({ node: this, histograms: this.latencies, slices: this.latencySlices, notReadyBecause: () => this.notReadyBecause() })
  }

  /** Where the HTTP port listens, if configured and started. */
  httpEndpoint(): { host: string; port: number } | undefined {
    return this.httpBound
  }

  /** Ready: serving clients, in the cluster view with plans for it, and allowed to acknowledge writes. */
  notReadyBecause(): string | undefined {
    if (this.phase !== 'serving') return this.phase === 'starting' ? 'starting (loading namespaces, joining the cluster)' : this.phase
    const cluster = this.cluster
    if (cluster === undefined) return undefined
    if (cluster.memberIndex < 0) return 'not in the cluster view'
    if (!cluster.hasPlans) return 'partition plans for the current cluster view are not ready'
    if (!cluster.acknowledgesWrites) return 'the membership lease is not held (etcd unreachable)'
    return undefined
  }

  /** Membership through the configured etcd endpoints. */
  private async etcdMembership(): Promise<Membership> {
    const { heartbeat } = this.config.network
    this.membershipStore = await EtcdStore.open({ endpoints: heartbeat.etcdEndpoints, clock: this.env.clock })
    return new StoreMembership({
      // Nodes without a cluster-name share one cluster per etcd, as Aerospike nodes without one join any.
      clusterName: this.config.service.clusterName === '' ? 'aerolite' : this.config.service.clusterName,
      store: this.membershipStore,
      env: this.env,
      log: this.log,
      heartbeat: { intervalMs: heartbeat.intervalMs, timeoutCount: heartbeat.timeoutCount },
    })
  }

  /** Listens on the fabric, registers in the membership and waits for the first view's partition plans. */
  private async joinCluster(membership: Membership): Promise<void> {
    const fabric = new Fabric({ env: this.env, self: { nodeId: this.nodeId }, log: this.log, plantedFaults: this.plantedFaults })
    this.fabric = fabric
    const address = this.config.network.fabric.address ?? this.config.network.service.address
    const fabricEndpoint = await fabric.listen(address, this.config.network.fabric.port)
    this.cluster = new ClusterMember({
      env: this.env,
      log: this.log,
      namespaces: this.namespaces,
      membership,
      fabric,
      keepServingWithoutLease: this.config.service.keepServingWithoutEtcd,
      settings: this.config.service,
      plantedFaults: this.plantedFaults,
      runProxied: (message, hops) => executeProxiedCommand(message, this.commands, hops),
    })
    // UDF modules, indexes and truncate points of the cluster: followed before joining, so none is missed.
    this.clusterMetadata = new MetadataSync({
      membership,
      udf: this.udf,
      namespaces: this.namespaces,
      truncate: (ns, setName, cutoffMs) => this.truncate(ns, setName, cutoffMs),
      recluster: () => void this.quiesce.recluster(),
      scheduler: this.env.scheduler,
      log: this.log,
    })
    this.clusterMetadata.start()
    serveNodeState(fabric, () => this.consoleNodeState())
    this.xdr.joinCluster(fabric, () => (this.cluster?.currentView()?.members ?? []).map((m) => m.nodeId).filter((id) => id !== this.nodeId))
    this.quiesce.follow(membership, this.nodeId)
    const rackIds: Record<string, number> = {}
    for (const ns of this.namespaces.values()) rackIds[ns.name] = ns.config.rackId
    await this.cluster.join({
      nodeId: this.nodeId,
      service: this.endpoint,
      ...(this.hasAlternateAccess() ? { alternateService: this.alternateServiceEndpoint() } : {}),
      fabric: { host: address === '0.0.0.0' ? this.endpoint.host : fabricEndpoint.host, port: fabricEndpoint.port },
      rackIds,
      build: AEROSPIKE_COMPATIBLE_BUILD,
    })
  }

  /** Stops accepting connections, flushes replies already written, stops background work, closes the files. */
  async drain(): Promise<void> {
    this.phase = 'draining'
    await this.cluster?.leave()
    this.stopBackgroundWork()
    await this.listener.drain()
    await this.fabric?.close()
    await this.membershipStore?.close()
    await this.closeNamespaces()
    await this.http?.close()
    this.phase = 'stopped'
  }

  /**
   * Ends at once, as a killed process would (for tests of what survives): connections and the
   * fabric are cut, the lease is left to expire, nothing in memory is written.
   */
  async crash(): Promise<void> {
    this.phase = 'stopped'
    this.membership?.halt()
    this.cluster?.stop()
    this.stopBackgroundWork()
    this.listener.abort()
    await this.fabric?.close()
    await this.membershipStore?.close()
    for (const ns of this.opened.splice(0)) ns.abandon()
    await this.http?.close()
  }

  /** The ticker line and the latency slices (what `latencies:` describes) follow ticker-interval. */
  private startTicker(): void {
    this.ticker.stop()
    this.latencySlices.stop()
    this.ticker.start(this.config.service.tickerIntervalSeconds)
    this.latencySlices.start(this.env.scheduler, this.config.service.tickerIntervalSeconds * 1000)
  }

  private stopBackgroundWork(): void {
    for (const sweeper of this.sweepers.values()) sweeper.stop()
    for (const defrag of this.defragmenters) defrag.stop()
    this.storageTimer?.cancel()
    this.ticker.stop()
    this.latencySlices.stop()
    this.xdr.stop()
  }

  /** Writes what is in memory to the files, saves index snapshots and unlocks the files. */
  private async closeNamespaces(): Promise<void> {
    for (const ns of this.opened.splice(0)) await ns.close(this.log)
  }

  private evict(): void {
    for (const evictor of this.evictors) {
      evictor.evictIfNeeded().catch((err: unknown) => {
        this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'eviction failed')
      })
    }
  }

  serviceEndpoint(): { host: string; port: number } {
    return this.endpoint
  }

  alternateServiceEndpoint(): { host: string; port: number } {
    const { alternateAccessAddress, alternateAccessPort } = this.config.network.service
    return { host: alternateAccessAddress ?? this.endpoint.host, port: alternateAccessPort ?? this.endpoint.port }
  }

  private hasAlternateAccess(): boolean {
    const { alternateAccessAddress, alternateAccessPort } = this.config.network.service
    return alternateAccessAddress !== undefined || alternateAccessPort !== undefined
  }

  partitionGeneration(): number {
    return this.cluster?.partitionGeneration ?? 1
  }

  peersGeneration(): number {
    return this.cluster?.peersGeneration ?? 1
  }

  nowMs(): number {
    return this.env.clock.nowMs()
  }

  /** Job ids follow the clock (as Aerospike's do) and never repeat, even within one millisecond. */
  private newJobId(): bigint {
    const fromClock = BigInt(Math.floor(this.env.clock.nowMs()))
    this.lastJobId = fromClock > this.lastJobId ? fromClock : this.lastJobId + 1n
    return this.lastJobId
  }

  truncate(namespace: Namespace, setName: string | undefined, cutoffMs: number): void {
    namespace.truncate(setName, cutoffMs)
    this.log.info({ ns: namespace.name, set: setName, cutoffMs }, 'truncated (records before the cutoff are hidden now and removed in the background)')
  }

  namespaceConfigChanged(namespace: Namespace): void {
    this.sweepers.get(namespace.name)?.schedule()
    namespace.flusher?.setFlushMaxMs(namespace.config.storage.flushMaxMs)
    this.log.info({ ns: namespace.name }, 'namespace config changed')
  }

  serviceConfigChanged(): void {
    if (this.phase === 'serving') this.startTicker()
    this.cluster?.settingsChanged()
    this.log.info('service config changed')
  }

  /** Runs one expiry sweep of every namespace now (tests and admin use). */
  async sweepExpired(): Promise<number> {
    let removed = 0
    for (const sweeper of this.sweepers.values()) removed += await sweeper.sweep()
    return removed
  }
}

async function* infoFrameLater(answer: Promise<Buffer>): AsyncGenerator<Buffer> {
  yield encodeFrame(ProtoType.INFO, await answer)
}
