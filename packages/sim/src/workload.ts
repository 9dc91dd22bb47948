// The simulated applications: a few clients, each owning its own keys (so one key's operations
// never overlap and its history is a plain sequence), issuing puts, gets, deletes and operates.
// Every write carries a value used nowhere else, so the checker can tell which write it sees.
//   - register keys (bin `v`): put a unique integer, delete, get; some puts are batch writes of the
//     key and the client's next keys (a unique value each), some gets batch reads;
//   - list keys: one operate appends a unique integer to list bin `l` and increments bin `c`
//     (atomic, so c always equals the list's length), and get.
import {
  FieldType, Info1, Info2, OpType, ParticleType, ProtoType, ResultCode, computeDigest, emptyHeader, encodeFrame, encodeMessage,
  integerParticle, packValue, readIntegerParticle, unpackValue, type Env, type Field, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'
import { SeededRandom } from '@aerolite/server'
import { SimClient, type BatchRowRequest, type Outcome } from './sim-client.ts'
import { SIM_NAMESPACE } from './sim-cluster.ts'

const SET = 'sim'
/** List operation code of append in a CDT modify. */
const LIST_APPEND = 1
/** Keys a batch read adds to the one drawn. */
const BATCH_EXTRA_KEYS = 3
/** Keys a batch write adds to the one drawn. */
const BATCH_WRITE_EXTRA_KEYS = 2

export type KeyKind = 'register' | 'list'
export type OpKind = 'put' | 'delete' | 'append' | 'get' | 'batch-get'

/** What one operation's answer says about whether it took effect. */
export type Verdict =
  /** Acknowledged: applied. */
  | 'ok'
  /** Answered that nothing was there to change (a delete of an absent record). */
  | 'absent'
  /** No answer, or an error answer: it may or may not have been applied. */
  | 'in-doubt'

export interface OpRecord {
  key: string
  kind: OpKind
  /** The unique value a put or append wrote. */
  value: number | undefined
  /** A row of a batch write. */
  batch?: true
  verdict: Verdict
  resultCode: number | undefined
  startMs: number
  endMs: number
  /** The host that answered. */
  node: string | undefined
  /** What a get saw: the register's value, the list, or undefined when the record was absent. */
  read?: { v?: number; l?: number[]; c?: number } | undefined
}

export interface WorkloadOptions {
  clients: number
  registerKeys: number
  listKeys: number
  /** Pause between one client's operations: uniform in 0..2×mean. */
  meanThinkMs: number
  /** Of a register key's reads, the share that are batch reads (of it and the client's next keys). */
  batchReadShare: number
  /** Of a register key's puts, the share that are batch writes (of it and the client's next keys). */
  batchWriteShare: number
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { clients: 3, registerKeys: 24, listKeys: 12, meanThinkMs: 10, batchReadShare: 0.3, batchWriteShare: 0.2 }
/** The workload before batch writes: replays the seeds found before them exactly. */
export const WORKLOAD_WITHOUT_BATCH_WRITES: WorkloadOptions = { ...DEFAULT_WORKLOAD, batchWriteShare: 0 }

export interface KeyInfo {
  key: string
  kind: KeyKind
  digest: Buffer
}

export function workloadKeys(options: WorkloadOptions): KeyInfo[] {
  const keys: KeyInfo[] = []
  for (let i = 0; i < options.registerKeys; i++) keys.push(keyInfo(`r${i}`, 'register'))
  for (let i = 0; i < options.listKeys; i++) keys.push(keyInfo(`l${i}`, 'list'))
  return keys
}

function keyInfo(key: string, kind: KeyKind): KeyInfo {
  return { key, kind, digest: computeDigest(SET, ParticleType.STRING, Buffer.from(key)) }
}

/** The operations of a run, in the order they ended. */
export class History {
  readonly ops: OpRecord[] = []
  /** Answers with SERVER_ERROR: always a violation here (no injected fault makes it right). */
  readonly serverErrors: OpRecord[] = []
  add(op: OpRecord): void {
    this.ops.push(op)
    if (op.resultCode === ResultCode.SERVER_ERROR) this.serverErrors.push(op)
  }

  of(key: string): OpRecord[] {
    return this.ops.filter((op) => op.key === key).sort((a, b) => a.startMs - b.startMs)
  }
}

export class Workload {
  private readonly env: Env
  private readonly clients: SimClient[]
  private readonly options: WorkloadOptions
  private readonly random: SeededRandom
  /** Whether a put is a batch write: a stream of its own, drawn only when batch writes are on, so a workload without them is as it was. */
  private readonly batchWriteRandom: SeededRandom
  private readonly keys: KeyInfo[]
  readonly history = new History()
  private nextValue = 1
  private stopAtMs = 0

  /** The workload draws from its own seeded stream, so removing a fault while shrinking keeps the same operations. */
  constructor(env: Env, clients: SimClient[], options: WorkloadOptions, seed: number) {
    this.env = env
    this.clients = clients
    this.options = options
    this.random = new SeededRandom(seed ^ 0x5eed)
    this.batchWriteRandom = new SeededRandom(seed ^ 0xba7c)
    this.keys = workloadKeys(options)
  }

  /** Runs every client until `durationMs` of simulated time passed; resolves when the last one stops. */
  run(durationMs: number): Promise<void> {
    this.stopAtMs = this.env.clock.monotonicMs() + durationMs
    return Promise.all(this.clients.map((client, index) => this.clientLoop(client, index))).then(() => {})
  }

  private async clientLoop(client: SimClient, index: number): Promise<void> {
    const mine = this.keys.filter((_, i) => i % this.clients.length === index)
    while (this.env.clock.monotonicMs() < this.stopAtMs) {
      const key = mine[Math.floor(this.random.float() * mine.length)]!
      await this.one(client, key, this.random.float(), mine)
      await new Promise<void>((resolve) => this.env.scheduler.after(this.random.float() * 2 * this.options.meanThinkMs, resolve))
    }
  }

  private async one(client: SimClient, key: KeyInfo, draw: number, mine: readonly KeyInfo[]): Promise<void> {
    if (key.kind === 'register') {
      if (draw < 0.5) {
        if (this.options.batchWriteShare > 0 && this.batchWriteRandom.float() < this.options.batchWriteShare) {
          return this.batchWrite(client, [key, ...mine.filter((k) => k !== key && k.kind === 'register').slice(0, BATCH_WRITE_EXTRA_KEYS)])
        }
        return this.write(client, key, 'put', this.nextValue++)
      }
      if (draw < 0.65) return this.write(client, key, 'delete', undefined)
      // The batch's other keys follow this one among the client's keys: no draw, so the operations stay the same.
      if (draw >= 1 - 0.35 * this.options.batchReadShare) return this.batchRead(client, [key, ...mine.filter((k) => k !== key).slice(0, BATCH_EXTRA_KEYS)])
    } else if (draw < 0.7) {
      return this.write(client, key, 'append', this.nextValue++)
    }
    return this.read(client, key)
  }

  private async write(client: SimClient, key: KeyInfo, kind: 'put' | 'delete' | 'append', value: number | undefined): Promise<void> {
    const startMs = this.env.clock.monotonicMs()
    const frame = kind === 'put'
      ? request(key, { info2: Info2.WRITE }, [putOp(value!)])
      : kind === 'delete'
        ? request(key, { info2: Info2.WRITE | Info2.DELETE | Info2.DURABLE_DELETE }, [])
        : request(key, { info2: Info2.WRITE }, [
          { type: OpType.CDT_MODIFY, name: 'l', particleType: ParticleType.BLOB, value: packValue([LIST_APPEND, value!]) },
          { type: OpType.INCR, name: 'c', particleType: ParticleType.INTEGER, value: integerParticle(1) },
        ])
    const outcome = await client.command(SIM_NAMESPACE, key.digest, true, frame)
    this.history.add({ key: key.key, kind, value, startMs, endMs: this.env.clock.monotonicMs(), ...writeVerdict(kind, outcome) })
  }

  private async read(client: SimClient, key: KeyInfo): Promise<void> {
    const startMs = this.env.clock.monotonicMs()
    const outcome = await client.command(SIM_NAMESPACE, key.digest, false, request(key, { info1: Info1.READ | Info1.GET_ALL }, []))
    this.history.add(readRecord(key, startMs, this.env.clock.monotonicMs(), outcome, false))
  }

  /** A put of a new value to each key, as one batch write (a row each). */
  private async batchWrite(client: SimClient, keys: readonly KeyInfo[]): Promise<void> {
    const startMs = this.env.clock.monotonicMs()
    const values = keys.map(() => this.nextValue++)
    const rows: BatchRowRequest[] = keys.map((key, i) => ({ digest: key.digest, info1: 0, info2: Info2.WRITE, fields: keyFields(), ops: [putOp(values[i]!)] }))
    const outcomes = await client.batchWrite(SIM_NAMESPACE, rows)
    keys.forEach((key, i) => this.history.add({ key: key.key, kind: 'put', value: values[i], batch: true, startMs, endMs: outcomes[i]!.endMs, ...writeVerdict('put', outcomes[i]!) }))
  }

  private async batchRead(client: SimClient, keys: readonly KeyInfo[]): Promise<void> {
    const startMs = this.env.clock.monotonicMs()
    const outcomes = await client.batchGet(SIM_NAMESPACE, keys.map((key) => key.digest))
    keys.forEach((key, row) => this.history.add(readRecord(key, startMs, this.env.clock.monotonicMs(), outcomes[row]!, true)))
  }
}

function readRecord(key: KeyInfo, startMs: number, endMs: number, outcome: Outcome, batch: boolean): OpRecord {
  const answer = outcome.kind === 'answer' ? outcome : undefined
  const code = answer?.message.resultCode
  return {
    key: key.key, kind: batch ? 'batch-get' : 'get', value: undefined, startMs, endMs,
    verdict: code === ResultCode.OK || code === ResultCode.RECORD_NOT_FOUND ? 'ok' : 'in-doubt',
    resultCode: code, node: answer?.node,
    read: answer !== undefined && code === ResultCode.OK ? readBins(answer.message) : undefined,
  }
}

function writeVerdict(kind: OpKind, outcome: Outcome): Pick<OpRecord, 'verdict' | 'resultCode' | 'node'> {
  if (outcome.kind === 'no-answer') return { verdict: 'in-doubt', resultCode: undefined, node: undefined }
  const code = outcome.message.resultCode
  const verdict: Verdict = code === ResultCode.OK ? 'ok' : kind === 'delete' && code === ResultCode.RECORD_NOT_FOUND ? 'absent' : 'in-doubt'
  return { verdict, resultCode: code, node: outcome.node }
}

function putOp(value: number): OutOp {
  return { type: OpType.WRITE, name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }
}

/** The namespace and set of every workload key. */
function keyFields(): Field[] {
  return [{ type: FieldType.NAMESPACE, data: Buffer.from(SIM_NAMESPACE) }, { type: FieldType.SET, data: Buffer.from(SET) }]
}

export function request(key: KeyInfo, header: Partial<MessageHeader>, ops: OutOp[]): Buffer {
  const fields: Field[] = [...keyFields(), { type: FieldType.DIGEST, data: key.digest }]
  return encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), ...header }, fields, ops))
}

/** The workload's bins from a read answer. */
export function readBins(message: Message): OpRecord['read'] {
  const read: NonNullable<OpRecord['read']> = {}
  for (const op of message.ops) {
    const name = op.name.toString()
    if (name === 'v' || name === 'c') read[name] = Number(readIntegerParticle(op.value))
    else if (name === 'l') read.l = (unpackValue(op.value) as number[]).map(Number)
  }
  return read
}
