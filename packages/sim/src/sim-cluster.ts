// A whole cluster in one process on simulated time: one manual Env (clock, scheduler, seeded
// random), the in-process membership store, the simulated network (each node its own host), and
// per node a memory disk that outlives the node's process, so a crashed node restarts on what it
// had synced. Faults act here: crash, restart, pause, link cuts and delays, the store unreachable.
import { createHash, type Hash } from 'node:crypto'
import { pino, type Logger } from 'pino'
import {
  AeroliteNode, InProcessStore, MemoryDisk, StoreMembership, defaultNamespaceConfig, defaultServerConfig, limits, manualEnv, readBlockSeq,
  type ManualEnv, type NamespaceConfig, type PlantName,
} from '@aerolite/server'
import type { Network } from '@aerolite/protocol'
import { NodeStoreLink } from './node-store-link.ts'
import { SimNetwork, simNodeEnv, type ClockSkew, type SimNodeEnv } from '@aerolite/server/simulation'

export const SIM_NAMESPACE = 'test'
export const SERVICE_PORT = 3000
const FABRIC_PORT = 3001
const DATA_FILE = '/data/test.dat'
/** 150 ms × 10: a lease TTL of 2 s, Aerospike's default heartbeat. */
export const SIM_HEARTBEAT = { intervalMs: 150, timeoutCount: 10 }
/** Small write blocks and files: a simulated node holds a few hundred records. */
/** The id of the node in slot `index` (the real-process runs give theirs the same). */
export function simNodeId(index: number): string {
  return `BB9${String(index + 1).padStart(13, '0')}`
}
export const SIM_WRITE_BLOCK_BYTES = 128 * 1024
export const SIM_WRITE_BLOCKS = 24
const FILE_BYTES = limits.dataFileHeaderBytes + SIM_WRITE_BLOCKS * SIM_WRITE_BLOCK_BYTES
/** At most this much of a torn write reaches the disk (a few sectors of a write block). */
const TEAR_BYTES = 16 * 1024

export interface SimClusterOptions {
  seed: number
  nodes: number
  replicationFactor: number
  plants?: ReadonlySet<PlantName>
  /** Acknowledge writes only once they are synced to the (simulated) disk. */
  commitToDevice?: boolean
  /** Per node, its clocks' offset and rate. */
  skews?: ReadonlyArray<ClockSkew>
}

export interface SimNodeSlot {
  index: number
  host: string
  nodeId: string
  disk: MemoryDisk
  /** The running process, or undefined while crashed. */
  node: AeroliteNode | undefined
  env: SimNodeEnv | undefined
  /** The process's connection to the membership store. */
  storeLink: NodeStoreLink | undefined
  /** Every process this slot ran (a restart makes a new one). */
  incarnation: number
  /** The host's clock against simulated time: its processes read it live, and it outlives them. */
  skew: ClockSkew
}

/** A line per event of the run, hashed as it goes; the tail is kept to print with a violation. */
export class EventLog {
  private readonly hash: Hash = createHash('sha256')
  private readonly tail: string[] = []
  private readonly env: ManualEnv
  private readonly keepLines: number

  constructor(env: ManualEnv, keepLines = 200) {
    this.env = env
    this.keepLines = keepLines
  }

  add(line: string): void {
    const stamped = `${this.env.clock.monotonicMs().toFixed(3)} ${line}`
    this.hash.update(stamped).update('\n')
    this.tail.push(stamped)
    if (this.tail.length > this.keepLines) this.tail.shift()
  }

  digest(): string {
    return this.hash.copy().digest('hex')
  }

  lastLines(): readonly string[] {
    return this.tail
  }
}

export class SimCluster {
  readonly env: ManualEnv
  readonly net: SimNetwork
  readonly store: InProcessStore
  readonly slots: SimNodeSlot[]
  readonly log: EventLog
  private readonly options: SimClusterOptions
  /** What simulated processes logged at error level, when and where: a violation of "no process throws" unless a disk fault explains it. */
  readonly processErrors: Array<{ node: number; atMs: number; text: string }> = []
  private readonly clientHosts: string[] = []
  private readonly paused = new Set<number>()
  private readonly cutOffFromStore = new Set<number>()

  constructor(options: SimClusterOptions) {
    this.options = options
    this.env = manualEnv({ seed: options.seed })
    this.log = new EventLog(this.env)
    this.net = new SimNetwork(this.env, { log: (line) => this.log.add(line) })
    this.store = new InProcessStore(this.env)
    this.slots = Array.from({ length: options.nodes }, (_, index) => ({
      index,
      host: `10.0.0.${index + 1}`,
      nodeId: simNodeId(index),
      disk: new MemoryDisk(this.env.scheduler),
      node: undefined,
      env: undefined,
      storeLink: undefined,
      incarnation: 0,
      skew: { ...(options.skews?.[index] ?? { wallOffsetMs: 0, rate: 1 }) },
    }))
    for (const slot of this.slots) slot.disk.mkdir('/data')
  }

  get up(): SimNodeSlot[] {
    return this.slots.filter((slot) => slot.node !== undefined)
  }

  /** Starts the slot's process (first start or restart); resolves once it serves. */
  start(index: number): Promise<void> {
    const slot = this.slots[index]!
    if (slot.node !== undefined) throw new Error(`node ${index} is already running`)
    slot.incarnation++
    // The disk answers on the node's own scheduler: a paused node's disk calls wait for it, a crashed one's never finish.
    const nodeEnv = simNodeEnv(this.env, { disk: (scheduler) => { slot.disk.useScheduler(scheduler); return slot.disk }, network: this.net.forHost(slot.host), skew: slot.skew })
    const logger = this.nodeLogger(slot)
    slot.storeLink = new NodeStoreLink(this.store, nodeEnv.scheduler)
    // A cut is in the network, not in the process: a node restarted during one is cut off too.
    if (this.cutOffFromStore.has(index)) slot.storeLink.setReachable(false)
    const membership = new StoreMembership({ clusterName: 'sim', store: slot.storeLink, env: nodeEnv, log: logger, heartbeat: SIM_HEARTBEAT })
    const node = new AeroliteNode(this.nodeConfig(slot), { env: nodeEnv, logger, membership, plantedFaults: this.options.plants })
    slot.node = node
    slot.env = nodeEnv
    this.log.add(`start node ${index} (incarnation ${slot.incarnation})`)
    return node.start().then(() => {})
  }

  /**
   * A power cut: the process runs no more code, peers see its sockets close, unsynced writes are lost
   * (torn: the last one partly kept). With `processOnly`, a kill -9: what it wrote to its files stays.
   */
  crash(index: number, options: { torn?: boolean; processOnly?: boolean } = {}): void {
    const slot = this.slots[index]!
    if (slot.node === undefined) return
    this.log.add(`${options.processOnly === true ? 'kill' : 'crash'} node ${index}${options.torn === true ? ' (torn write)' : ''}`)
    this.net.crashHost(slot.host)
    slot.env!.halt()
    if (options.processOnly === true) slot.disk.closeAll()
    else slot.disk.crash(options.torn === true ? { random: this.env.random, tearBytes: TEAR_BYTES } : {})
    slot.node = undefined
    slot.env = undefined
    slot.storeLink = undefined
    this.paused.delete(index)
  }

  /** Every node runs, none is paused, all agree on one view of every node, and every partition is settled. */
  isStable(): boolean {
    if (this.paused.size > 0 || this.up.length !== this.slots.length) return false
    let revision: number | undefined
    for (const slot of this.slots) {
      const member = slot.node!.cluster
      const view = member?.currentView()
      if (member === undefined || view === undefined || view.members.length !== this.slots.length) return false
      if (revision !== undefined && view.revision !== revision) return false
      revision = view.revision
      if (!member.acknowledgesWrites || !member.isSettled()) return false
    }
    return true
  }

  /** What each node says of its state, for a run that did not settle. */
  unsettled(): string {
    return this.slots.map((slot) => {
      const member = slot.node?.cluster
      if (member === undefined) return `node ${slot.index} down`
      const view = member.currentView()
      return `node ${slot.index}: view ${view?.revision} of ${view?.members.length}, ${member.acknowledgesWrites ? 'holds' : 'lacks'} its lease, ${member.isSettled() ? 'settled' : `unsettled (${member.migrationsRemaining()} migrations left)`}`
    }).join('; ')
  }

  /** Cuts one node off from the membership store (or reconnects it); the store and the network stay up. */
  cutFromStore(index: number, cut: boolean): void {
    if (cut) this.cutOffFromStore.add(index)
    else this.cutOffFromStore.delete(index)
    this.slots[index]!.storeLink?.setReachable(!cut)
  }

  /**
   * SIGTERM: the node drains (leaves the view, answers what is in flight, writes its files and
   * index snapshot) and exits; resolves then. Its next start is a fast restart from the snapshot.
   */
  async stop(index: number): Promise<void> {
    const slot = this.slots[index]!
    const node = slot.node
    if (node === undefined) return
    this.log.add(`stop node ${index}`)
    await node.drain()
    // A crash during the drain ended the process already.
    if (slot.node !== node) return
    this.log.add(`node ${index} stopped`)
    slot.env!.halt()
    slot.disk.closeAll()
    slot.node = undefined
    slot.env = undefined
    slot.storeLink = undefined
    this.paused.delete(index)
  }

  /**
   * Bad bytes in one of the write blocks a node's data file holds, synced or not (the node should be
   * down): the `nth` newest of them, counted modulo how many there are, so the damage hits data.
   */
  corruptBlock(index: number, nth: number, offset: number, lengthBytes: number): void {
    const disk = this.slots[index]!.disk
    const content = disk.contentOf(DATA_FILE) ?? Buffer.alloc(0)
    const held: Array<{ block: number; seq: number }> = []
    for (let block = 0; block < SIM_WRITE_BLOCKS; block++) {
      const seq = readBlockSeq(content, limits.dataFileHeaderBytes + block * SIM_WRITE_BLOCK_BYTES)
      if (seq > 0) held.push({ block, seq })
    }
    if (held.length === 0) return this.log.add(`node ${index} holds no write block to corrupt`)
    held.sort((a, b) => b.seq - a.seq)
    const block = held[nth % held.length]!.block
    this.log.add(`corrupt node ${index} block ${block} at ${offset} (${lengthBytes} bytes)`)
    disk.corrupt(DATA_FILE, limits.dataFileHeaderBytes + block * SIM_WRITE_BLOCK_BYTES + offset, lengthBytes, this.env.random)
  }

  /** Steps the host's wall clock by `deltaMs` (NTP stepping it): its node's nowMs() jumps, its monotonic clock does not. */
  stepClock(index: number, deltaMs: number): void {
    this.log.add(`step node ${index}'s wall clock by ${deltaMs} ms`)
    this.slots[index]!.skew.wallOffsetMs += deltaMs
  }

  /** SIGSTOP: the node runs no code, bytes sent to it wait in its buffers, nobody sees a close. */
  pause(index: number): void {
    const slot = this.slots[index]!
    if (slot.node === undefined) return
    this.paused.add(index)
    slot.env!.pause()
    this.net.pauseHost(slot.host)
  }

  /** SIGCONT. */
  resume(index: number): void {
    const slot = this.slots[index]!
    this.paused.delete(index)
    if (slot.node === undefined) return
    this.net.resumeHost(slot.host)
    slot.env!.resume()
  }

  /** The nodes of `side` cannot reach the other nodes (one way: cannot send to them). Clients reach everyone. */
  partition(side: readonly number[], oneWay: boolean): void {
    for (const [from, to] of this.acrossPartition(side)) this.net.cut(from, to, oneWay)
  }

  healPartition(side: readonly number[], oneWay: boolean): void {
    for (const [from, to] of this.acrossPartition(side)) this.net.heal(from, to, oneWay)
  }

  /** Extra latency on every link of a node, to its peers and to clients (undefined: back to normal). */
  slowNode(index: number, extraMs: number | undefined): void {
    const host = this.slots[index]!.host
    for (const other of [...this.slots.map((slot) => slot.host), ...this.clientHosts]) {
      if (other !== host) this.net.setLinkDelay(host, other, extraMs)
    }
  }

  /** The network of a simulated client (hosts 10.0.9.x). */
  clientNetwork(index: number): Network {
    const host = `10.0.9.${index + 1}`
    if (!this.clientHosts.includes(host)) this.clientHosts.push(host)
    return this.net.forHost(host)
  }

  private acrossPartition(side: readonly number[]): Array<[string, string]> {
    const pairs: Array<[string, string]> = []
    for (const inside of side) {
      for (const slot of this.slots) if (!side.includes(slot.index)) pairs.push([this.slots[inside]!.host, slot.host])
    }
    return pairs
  }

  private nodeConfig(slot: SimNodeSlot) {
    const config = defaultServerConfig()
    config.service.clusterName = 'sim'
    config.service.nodeId = slot.nodeId
    config.network.service = { address: slot.host, port: SERVICE_PORT }
    config.network.fabric.port = FABRIC_PORT
    config.network.heartbeat = { ...config.network.heartbeat, ...SIM_HEARTBEAT }
    config.logging.level = 'warn'
    config.namespaces = [this.namespaceConfig()]
    return config
  }

  private namespaceConfig(): NamespaceConfig {
    const ns = defaultNamespaceConfig(SIM_NAMESPACE)
    ns.replicationFactor = this.options.replicationFactor
    ns.storage.engine = 'device'
    ns.storage.files = [DATA_FILE]
    ns.storage.writeBlockSizeBytes = SIM_WRITE_BLOCK_BYTES
    ns.storage.fileSizeBytes = FILE_BYTES
    ns.storage.dataSizeBytes = FILE_BYTES - 1024 * 1024
    ns.storage.flushMaxMs = 100
    ns.storage.commitToDevice = this.options.commitToDevice ?? false
    ns.storage.maxWriteCacheBytes = 8 * SIM_WRITE_BLOCK_BYTES
    return ns
  }

  /** Warnings and errors only, without timestamps (wall time would differ between replays); errors are noted. */
  private nodeLogger(slot: SimNodeSlot): Logger {
    return pino({ level: 'warn', timestamp: false, base: undefined }, {
      write: (line: string) => {
        const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } }
        if (entry.level >= 50) this.processErrors.push({ node: slot.index, atMs: this.env.clock.monotonicMs(), text: `${entry.msg ?? ''} ${entry.err?.message ?? ''}`.trim() })
      },
    })
  }
}

