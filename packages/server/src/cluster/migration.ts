// Migrations: one node sends every record and tombstone of a partition to another, in batches it
// waits on (so the receiver sets the pace), then says it is done. Two kinds:
//   fill   the working master fills an owner that lacks a full copy (the owner also receives the
//          master's writes meanwhile, so nothing is missed);
//   merge  a dirty copy sends what it holds to the partition's master, which keeps what wins and
//          sends that on to the owners like any write.
// The receiver resolves every record against its own version (conflict-resolution-policy), so a
// record sent before a newer write arrived never replaces it, and a delete's tombstone keeps an
// older version from coming back.
import { DIGEST_BYTES, ResultCode, type Scheduler } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { commitRemote } from '../commands/commit-remote.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { MessageType, type FabricLink } from './fabric-link.ts'
import { deleteOf, versionOf } from './record-versions.ts'
import { FabricCodecError, PayloadReader, PayloadWriter } from './fabric/codec.ts'
import { NO_PLANTED_FAULTS, type PlantedFaults } from './planted-faults.ts'
import { readRemoteRecord, writeRemoteRecord } from './remote-record-codec.ts'

export type MigrationKind = 'fill' | 'merge'

const KIND_CODES: Record<MigrationKind, number> = { fill: 1, merge: 2 }

/** Which partition of which namespace a migration message is about. */
export interface PartitionRef {
  namespace: string
  pid: number
  kind: MigrationKind
}

export function encodePartitionRef(ref: PartitionRef): Buffer {
  return writePartitionRef(new PayloadWriter(40), ref).finish()
}

function writePartitionRef(out: PayloadWriter, ref: PartitionRef): PayloadWriter {
  return out.u8(KIND_CODES[ref.kind]).u16(ref.pid).string(ref.namespace)
}

/** The reference at the start of a payload. */
export function readPartitionRef(input: PayloadReader): PartitionRef {
  const code = input.u8()
  const kind = code === KIND_CODES.fill ? 'fill' : code === KIND_CODES.merge ? 'merge' : undefined
  if (kind === undefined) throw new FabricCodecError(`unknown migration kind ${code}`)
  const pid = input.u16()
  if (pid >= limits.partitions) throw new FabricCodecError(`partition ${pid} out of range`)
  return { namespace: input.string(), pid, kind }
}

export function decodePartitionRef(payload: Buffer): PartitionRef {
  const input = new PayloadReader(payload)
  const ref = readPartitionRef(input)
  input.end()
  return ref
}

export interface MigrationCounters {
  /** Records (and deletes) sent and received by migrations. */
  recordsSent: number
  recordsReceived: number
  partitionsSent: number
  partitionsReceived: number
}

export function newMigrationCounters(): MigrationCounters {
  return { recordsSent: 0, recordsReceived: 0, partitionsSent: 0, partitionsReceived: 0 }
}

/**
 * Sends the partition's records and tombstones to `to`, then MIGRATE_DONE; the first message, with
 * no record, takes one of the receiver's incoming slots (or is refused). Rejects when the
 * view changed meanwhile (`current()` false) or the receiver refused or failed. `plantedFaults`:
 * the simulator's deliberate bugs (planted-faults.ts), empty in the product.
 */
export async function sendPartition(ns: Namespace, ref: PartitionRef, to: string, fabric: FabricLink, scheduler: Scheduler, current: () => boolean, counters: MigrationCounters, plantedFaults: PlantedFaults = NO_PLANTED_FAULTS): Promise<void> {
  const head = encodePartitionRef(ref)
  const batch = (): PayloadWriter => writePartitionRef(new PayloadWriter(limits.migrationBatchBytes + 64 * 1024), ref)
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  // The first message carries no record: it takes one of the receiver's slots (waiting for one if
  // need be), and a fill's target drops its copy then. Only then is the partition read, so every
  // batch holds versions at least as new as the replica writes the receiver applied before it: a
  // batch read earlier and held while the receiver waited for a slot would bring back versions older
  // than the writes that reached it meanwhile, which the drop would undo.
  await sendBatch(fabric, to, batch().finish(), current)
  let after: Buffer | undefined
  for (;;) {
    if (!current()) throw new Error('the view changed')
    // Entry ids do not survive a wait: each batch starts again after the last digest sent.
    const ids = ns.liveEntriesInDigestOrder(ref.pid, after)
    const out = batch()
    let sent = 0
    for (const id of ids) {
      ns.digestInto(id, digest)
      if (ref.kind === 'fill' && plantedFaults.has('skip-last-migrated') && id === ids[ids.length - 1]) {
        // Planted fault: the partition's last record is not sent, yet the fill ends as complete.
        after = Buffer.from(digest)
        break
      }
      writeRemoteRecord(out, ns.name, versionOf(ns, id, digest))
      sent++
      after = Buffer.from(digest)
      if (out.length >= limits.migrationBatchBytes) break
    }
    if (sent === 0) break
    await sendBatch(fabric, to, out.finish(), current)
    counters.recordsSent += sent
    await scheduler.yieldTurn()
  }
  // Tombstones are few (durable deletes on persistent namespaces): they go in batches of their own.
  const tombs = ns.tombstones.size > 0 ? ns.tombstones.index.entriesOf(ref.pid) : new Int32Array(0)
  for (let start = 0; start < tombs.length; start += limits.migrationBatchTombstones) {
    const out = batch()
    const some = tombs.subarray(start, start + limits.migrationBatchTombstones)
    for (const tomb of some) writeRemoteRecord(out, ns.name, deleteOf(ns, tomb))
    await sendBatch(fabric, to, out.finish(), current)
    counters.recordsSent += some.length
  }
  if (!current()) throw new Error('the view changed')
  await expectOk(fabric.request(to, MessageType.MIGRATE_DONE, head, limits.migrationRequestTimeoutMs), to)
  counters.partitionsSent++
}

async function sendBatch(fabric: FabricLink, to: string, payload: Buffer, current: () => boolean): Promise<void> {
  if (!current()) throw new Error('the view changed')
  await expectOk(fabric.request(to, MessageType.MIGRATE_RECORDS, payload, limits.migrationRequestTimeoutMs), to)
}

/** What a receiver answers when the partitions it receives at once (migrate-max-num-incoming) are taken. */
export const INCOMING_FULL = ResultCode.FAIL_FORBIDDEN

/** A receiver did not take a migration message: the sender tries again later. */
export class MigrationRefusedError extends Error {
  readonly code: number | undefined
  constructor(from: string, code: number | undefined) {
    super(`${from} answered ${code ?? 'nothing'} to a migration message`)
    this.code = code
  }
}

async function expectOk(reply: Promise<Buffer>, from: string): Promise<void> {
  const code = (await reply)[0]
  if (code !== ResultCode.OK) throw new MigrationRefusedError(from, code)
}

/**
 * The receiving side: applies migrated records (each resolved against the local version) and tells
 * `done` when a sender finished a partition. `accepts` answers whether this node takes the partition
 * now (an owner being filled, or the master gathering a merge): OK, or the code the sender gets, or
 * a promise of either while the partition waits for one of the incoming slots.
 */
export function serveMigrations(
  fabric: FabricLink,
  namespaceOf: (name: string) => Namespace | undefined,
  accepts: (ref: PartitionRef, from: string) => number | Promise<number>,
  done: (ref: PartitionRef, from: string) => void,
  counters: MigrationCounters,
  log: Logger,
): void {
  /** Calls `then` with the answer of accepts, now or once it came (with a copy of the payload: the fabric reuses its buffer). */
  const whenAccepted = (ref: PartitionRef, from: string, payload: Buffer, then: (code: number, payload: Buffer) => void): void => {
    const accepted = accepts(ref, from)
    if (typeof accepted === 'number') return then(accepted, payload)
    const kept = Buffer.from(payload)
    accepted.then((code) => then(code, kept), () => then(ResultCode.TIMEOUT, kept))
  }
  fabric.onMessage(MessageType.MIGRATE_RECORDS, (from, payload, reply) => {
    const answer = (code: number): void => reply?.(Buffer.from([code]))
    let ref: PartitionRef
    try {
      ref = readPartitionRef(new PayloadReader(payload))
    } catch (err) {
      log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'migration batch refused')
      return answer(ResultCode.PARAMETER_ERROR)
    }
    const ns = namespaceOf(ref.namespace)
    if (ns === undefined) return answer(ResultCode.NAMESPACE_NOT_FOUND)
    whenAccepted(ref, from, payload, (accepted, batch) => {
      if (accepted !== ResultCode.OK) return answer(accepted)
      try {
        const input = new PayloadReader(batch)
        readPartitionRef(input)
        const settling: Promise<void>[] = []
        while (input.remaining > 0) {
          const { record } = readRemoteRecord(input)
          const settled = commitRemote(ns, record, 'migration').settled
          if (settled !== undefined) settling.push(settled)
          counters.recordsReceived++
        }
        if (settling.length === 0) return answer(ResultCode.OK)
        Promise.all(settling).then(() => answer(ResultCode.OK), () => answer(ResultCode.SERVER_ERROR))
      } catch (err) {
        if (!(err instanceof CommandError)) log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'migration batch refused')
        answer(err instanceof CommandError ? err.resultCode : ResultCode.PARAMETER_ERROR)
      }
    })
  })
  fabric.onMessage(MessageType.MIGRATE_DONE, (from, payload, reply) => {
    let ref: PartitionRef
    try {
      ref = decodePartitionRef(payload)
    } catch (err) {
      log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'malformed migration end')
      return reply?.(Buffer.from([ResultCode.PARAMETER_ERROR]))
    }
    whenAccepted(ref, from, payload, (accepted) => {
      if (accepted !== ResultCode.OK) return reply?.(Buffer.from([accepted]))
      counters.partitionsReceived++
      done(ref, from)
      reply?.(Buffer.from([ResultCode.OK]))
    })
  })
}
