// A simulated application client that behaves as the official clients do: it learns the partition
// map from every node's `replicas` (a tend every second, and at once after a routing failure),
// sends each command to the partition's master (reads walk master then replicas on retries: the
// SEQUENCE replica policy), gives each attempt a socket timeout and each command a total timeout,
// and retries reads but not writes (the official write policy's maxRetries is 0), so a write whose
// answer was lost is "in doubt": it may or may not have been applied. Batches go as one batch-index
// command per node, as the official clients split them.
import { Connection, parseReplicas, requestInfo } from '@aerolite/client'
import {
  DIGEST_BYTES, FieldType, Info1, Info2, Info3, MESSAGE_HEADER_BYTES, PARTITION_COUNT, ProtoType, ResultCode, decodeMessage, decodeMessageAt, emptyHeader, encodeFrame,
  encodeMessage, partitionId, type Env, type Field, type Message, type OutOp, type Timer,
} from '@aerolite/protocol'

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

/** One row of a batch-index command: a record, what to do with it (info bits and ops), and its fields (namespace first). */
export interface BatchRowRequest {
  digest: Uint8Array
  info1: number
  info2: number
  fields: Field[]
  ops: OutOp[]
}

/** A batch row's outcome, and when its node's answer (or its attempt's end) came: nodes answer a batch at their own pace. */
export type BatchOutcome = Outcome & { endMs: number }

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

  /**
   * Reads several records with batch-index commands, one per node holding their partitions (as the
   * official clients split a batch); rows whose node gave no answer, or a code worth retrying, are
   * read again one by one with the read policy. The outcomes are in the digests' order.
   */
  async batchGet(namespace: string, digests: readonly Uint8Array[]): Promise<Outcome[]> {
    const fields = [{ type: FieldType.NAMESPACE, data: Buffer.from(namespace) }]
    const rows = digests.map((digest) => ({ digest, info1: Info1.READ | Info1.GET_ALL, info2: 0, fields, ops: [] }))
    const outcomes = await this.batch(namespace, rows)
    return Promise.all(outcomes.map((outcome, row) => outcome.kind === 'answer' && !RETRY_CODES.has(outcome.message.resultCode)
      ? outcome
      : this.command(namespace, digests[row]!, false, singleRead(namespace, digests[row]!))))
  }

  /**
   * Writes several records with batch-index commands, one per master. Rows are not tried again
   * (as single writes are not): a row without an answer, or with an error, is in doubt.
   */
  batchWrite(namespace: string, rows: readonly BatchRowRequest[]): Promise<BatchOutcome[]> {
    return this.batch(namespace, rows)
  }

  /** One attempt per node at its rows (of the partitions it masters); the outcomes are in the rows' order. */
  private async batch(namespace: string, rows: readonly BatchRowRequest[]): Promise<BatchOutcome[]> {
    const now = this.env.clock.monotonicMs()
    const outcomes: BatchOutcome[] = rows.map(() => ({ kind: 'no-answer', why: 'no node holds the partition', endMs: now }))
    const byNode = new Map<KnownNode, number[]>()
    rows.forEach((row, index) => {
      const node = this.nodeFor(namespace, partitionId(row.digest), 0)
      if (node === undefined) return
      byNode.set(node, [...(byNode.get(node) ?? []), index])
    })
    await Promise.all([...byNode].map(async ([node, indexes]) => {
      const answer = await this.attemptFrames(node, batchFrame(indexes.map((index) => rows[index]!)))
      const endMs = this.env.clock.monotonicMs()
      for (const index of indexes) outcomes[index] = { kind: 'no-answer', why: answer.kind === 'no-answer' ? answer.why : 'the batch reply has no row for it', endMs }
      if (answer.kind === 'no-answer') return
      for (const message of answer.messages) {
        const index = indexes[message.transactionTtl]
        if ((message.info3 & Info3.LAST) === 0 && index !== undefined) outcomes[index] = { kind: 'answer', message, node: node.host, endMs }
      }
    }))
    return outcomes
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

  /** One attempt whose answer is a frame of several messages (a batch reply, ended by a LAST message). */
  private async attemptFrames(node: KnownNode, frame: Buffer): Promise<{ kind: 'messages'; messages: Message[] } | { kind: 'no-answer'; why: string }> {
    try {
      const connection = await this.connectionTo(node)
      const reply = await this.withTimeout(connection.request(frame), connection)
      const messages: Message[] = []
      for (let at = 0; at < reply.body.length;) {
        const { message, end } = decodeMessageAt(reply.body, at)
        messages.push(message)
        at = end
      }
      // A reply spread over several frames would need a reader that waits for LAST; the workload's batches fit in one.
      if (!messages.some((message) => (message.info3 & Info3.LAST) !== 0)) throw new Error('a batch reply without its LAST message in one frame')
      return { kind: 'messages', messages }
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

/** Batch-index row types: a full row with the info bytes, or a repeat of the previous row's template. */
const ROW_INFO = 0x02
const ROW_REPEAT = 0x01
/** Answer every row even when one fails. */
const RESPOND_ALL_KEYS = 0x04

/**
 * A batch-index command: each row a full one (its info bits, fields and ops), or a repeat of the
 * row before when it does the same with no ops (a read of whole records, as the clients send them).
 */
function batchFrame(rows: readonly BatchRowRequest[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(5)]
  parts[0]!.writeUInt32BE(rows.length, 0)
  parts[0]!.writeUInt8(RESPOND_ALL_KEYS, 4)
  rows.forEach((row, index) => {
    const previous = rows[index - 1]
    const repeat = previous !== undefined && row.ops.length === 0 && previous.ops.length === 0 && row.info1 === previous.info1 && row.info2 === previous.info2 && row.fields === previous.fields
    const head = Buffer.alloc(4 + DIGEST_BYTES + 1)
    head.writeUInt32BE(index, 0)
    head.set(row.digest, 4)
    head.writeUInt8(repeat ? ROW_REPEAT : ROW_INFO, 4 + DIGEST_BYTES)
    parts.push(head)
    if (repeat) return
    // A row's field and op counts, fields and ops are laid out as a message's: its header ends with the two counts.
    parts.push(Buffer.from([row.info1, row.info2, 0]), encodeMessage(emptyHeader(), row.fields, row.ops).subarray(MESSAGE_HEADER_BYTES - 4))
  })
  const writes = rows.some((row) => (row.info2 & Info2.WRITE) !== 0)
  const reads = rows.some((row) => (row.info1 & Info1.READ) !== 0)
  const header = { ...emptyHeader(), info1: Info1.BATCH | (reads ? Info1.READ : 0), info2: writes ? Info2.WRITE : 0 }
  return encodeFrame(ProtoType.MESSAGE, encodeMessage(header, [{ type: FieldType.BATCH_INDEX, data: Buffer.concat(parts) }]))
}

function singleRead(namespace: string, digest: Uint8Array): Buffer {
  const fields = [{ type: FieldType.NAMESPACE, data: Buffer.from(namespace) }, { type: FieldType.DIGEST, data: Buffer.from(digest) }]
  return encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, fields))
}
