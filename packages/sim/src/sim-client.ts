// A simulated application client that behaves as the official clients do: it learns the partition
// map from every node's `replicas` (a tend every second, and at once after a routing failure),
// sends each command to the partition's master (reads walk master then replicas on retries: the
// SEQUENCE replica policy), gives each attempt a socket timeout and each command a total timeout,
// and retries reads but not writes (the official write policy's maxRetries is 0), so a write whose
// answer was lost is "in doubt": it may or may not have been applied.
import { Connection, parseReplicas, requestInfo } from '@aerolite/client'
import { PARTITION_COUNT, ResultCode, decodeMessage, partitionId, type Env, type Message, type Timer } from '@aerolite/protocol'

export interface ClientPolicy {
  /** One attempt's limit: past it the connection is closed and the attempt counts as timed out. */
  socketTimeoutMs: number
  /** The whole command's limit, retries included. */
  totalTimeoutMs: number
  readRetries: number
  writeRetries: number
  sleepBetweenRetriesMs: number
}

export const OFFICIAL_DEFAULTS: ClientPolicy = {
  socketTimeoutMs: 500,
  totalTimeoutMs: 1000,
  readRetries: 2,
  writeRetries: 0,
  sleepBetweenRetriesMs: 50,
}

export type Outcome =
  /** The server answered (any result code). */
  | { kind: 'answer'; message: Message; node: string }
  /** No answer: the command may or may not have been applied. */
  | { kind: 'no-answer'; why: string }

const TEND_INTERVAL_MS = 1000
const NO_NODE = -1
/** Codes after which a read tries again elsewhere (the cluster is moving, or the node is cut off). */
const RETRY_CODES: ReadonlySet<number> = new Set([ResultCode.TIMEOUT, ResultCode.PARTITION_UNAVAILABLE, ResultCode.DEVICE_OVERLOAD, ResultCode.KEY_BUSY])

interface KnownNode {
  host: string
  port: number
  connection: Connection | undefined
  opening: Promise<Connection> | undefined
}

export class SimClient {
  private readonly env: Env
  private readonly nodes: KnownNode[]
  private readonly policy: ClientPolicy
  /** owners[replica][pid]: index into nodes, per namespace. */
  private readonly owners = new Map<string, Int16Array[]>()
  private tendTimer: Timer | undefined
  private tending: Promise<void> | undefined
  private closed = false

  constructor(env: Env, seeds: ReadonlyArray<{ host: string; port: number }>, policy: ClientPolicy = OFFICIAL_DEFAULTS) {
    this.env = env
    this.policy = policy
    this.nodes = seeds.map(({ host, port }) => ({ host, port, connection: undefined, opening: undefined }))
  }

  start(): Promise<void> {
    this.tendTimer = this.env.scheduler.every(TEND_INTERVAL_MS, () => void this.tend())
    return this.tend()
  }

  close(): void {
    this.closed = true
    this.tendTimer?.cancel()
    for (const node of this.nodes) node.connection?.destroy()
  }

  /** Refreshes the partition map from every node that answers (one tend at a time). */
  tend(): Promise<void> {
    this.tending ??= this.tendOnce().finally(() => { this.tending = undefined })
    return this.tending
  }

  private async tendOnce(): Promise<void> {
    const answers = await Promise.all(this.nodes.map(async (node, index) => {
      try {
        const connection = await this.connectionTo(node)
        const reply = await this.withTimeout(requestInfo(connection, ['replicas']), connection)
        return { index, replicas: parseReplicas(reply.get('replicas') ?? '') }
      } catch {
        return undefined
      }
    }))
    const fresh = new Map<string, Int16Array[]>()
    for (const answer of answers) {
      if (answer === undefined) continue
      for (const { namespace, bitmaps } of answer.replicas) {
        let table = fresh.get(namespace)
        if (table === undefined) fresh.set(namespace, (table = []))
        bitmaps.forEach((bitmap, replica) => {
          const row = (table![replica] ??= new Int16Array(PARTITION_COUNT).fill(NO_NODE))
          for (let pid = 0; pid < PARTITION_COUNT; pid++) if ((bitmap[pid >> 3]! & (0x80 >> (pid & 7))) !== 0) row[pid] = answer.index
        })
      }
    }
    // A node that did not answer keeps its old claims only where nobody else claims the partition.
    for (const [namespace, table] of fresh) {
      const old = this.owners.get(namespace)
      table.forEach((row, replica) => {
        const before = old?.[replica]
        if (before !== undefined) for (let pid = 0; pid < PARTITION_COUNT; pid++) if (row[pid] === NO_NODE) row[pid] = before[pid]!
      })
      this.owners.set(namespace, table)
    }
  }

  /** Sends one command (a complete frame) for the digest; retries as the policy says. */
  async command(namespace: string, digest: Uint8Array, write: boolean, frame: Buffer): Promise<Outcome> {
    const pid = partitionId(digest)
    const retries = write ? this.policy.writeRetries : this.policy.readRetries
    const deadline = this.env.clock.monotonicMs() + this.policy.totalTimeoutMs
    let last: Outcome = { kind: 'no-answer', why: 'no node holds the partition' }
    for (let attempt = 0; attempt <= retries && !this.closed; attempt++) {
      if (attempt > 0) {
        await this.sleep(this.policy.sleepBetweenRetriesMs)
        if (this.env.clock.monotonicMs() >= deadline) break
      }
      const node = this.nodeFor(namespace, pid, write ? 0 : attempt)
      if (node === undefined) {
        void this.tend()
        continue
      }
      last = await this.attempt(node, frame)
      if (last.kind === 'answer' && !RETRY_CODES.has(last.message.resultCode)) return last
      // The map may be stale (a node died or a partition moved): look again before the next try.
      void this.tend()
      // A write that reached a node may have been applied: only a fresh answer could say otherwise.
      if (write && last.kind === 'no-answer') return last
    }
    return last
  }

  private nodeFor(namespace: string, pid: number, attempt: number): KnownNode | undefined {
    const table = this.owners.get(namespace)
    if (table === undefined || table.length === 0) return undefined
    for (let i = 0; i < table.length; i++) {
      const index = table[(attempt + i) % table.length]![pid]!
      if (index !== NO_NODE) return this.nodes[index]
    }
    return undefined
  }

  private async attempt(node: KnownNode, frame: Buffer): Promise<Outcome> {
    let connection: Connection
    try {
      connection = await this.connectionTo(node)
    } catch (err) {
      return { kind: 'no-answer', why: (err as Error).message }
    }
    try {
      const reply = await this.withTimeout(connection.request(frame), connection)
      return { kind: 'answer', message: decodeMessage(reply.body), node: node.host }
    } catch (err) {
      return { kind: 'no-answer', why: (err as Error).message }
    }
  }

  private async connectionTo(node: KnownNode): Promise<Connection> {
    if (node.connection?.isOpen === true) return node.connection
    node.opening ??= Connection.open(node.host, node.port, { env: this.env, connectTimeoutMs: this.policy.socketTimeoutMs })
      .then((connection) => {
        node.connection = connection
        return connection
      })
      .finally(() => { node.opening = undefined })
    return node.opening
  }

  /** An attempt past the socket timeout closes its connection, as the official clients do. */
  private withTimeout<T>(work: Promise<T>, connection: Connection): Promise<T> {
    let timer: Timer | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = this.env.scheduler.after(this.policy.socketTimeoutMs, () => {
        connection.destroy()
        reject(new Error(`no answer within ${this.policy.socketTimeoutMs} ms`))
      })
    })
    return Promise.race([work, timeout]).finally(() => timer?.cancel())
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.env.scheduler.after(ms, resolve))
  }
}
