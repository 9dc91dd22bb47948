// Replication: every change a partition's master makes (client writes and deletes, UDFs, touches,
// expiry and eviction, records a merge took in) is sent to the partition's other owners, and the
// command that made it answers once all of them hold it (commit-level all). A change a replica could
// not confirm leaves the master's copy dirty: at the next view the others gather from it, so the
// copies converge. Replicas apply what the master sends as it is (commit-remote.ts). A delete's
// tombstone is kept or dropped by what the owners answered (cluster-tombstones.ts).
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { commitRemote, type RemoteRecord } from '../commands/commit-remote.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { ChangeCause } from '../namespace/change-cause.ts'
import type { ChangeReplication } from '../namespace/change-replication.ts'
import type { Namespace, RecordListener, RecordLocation } from '../namespace/namespace.ts'
import { recordGeneration } from '../record/layout.ts'
import type { ClusterTombstones } from './cluster-tombstones.ts'
import { MessageType, type FabricLink } from './fabric-link.ts'
import type { LocalCopies } from './local-copies.ts'
import { setBit } from './partition-plan.ts'
import { versionOf } from './record-versions.ts'
import { decodeRemoteRecord, encodeRemoteRecord } from './remote-record-codec.ts'

/** Changes made elsewhere are not sent on: their origin already did (or, for a fill, the master does). */
const NOT_SENT_ON: ReadonlySet<ChangeCause> = new Set<ChangeCause>(['replica', 'truncate', 'dropped'])

export class Replicator implements RecordListener, ChangeReplication {
  private readonly copies: LocalCopies
  private readonly deletes: ClusterTombstones
  private readonly fabric: FabricLink
  private readonly targetsOf: (pid: number) => readonly string[]
  private readonly log: Logger
  /** The wait of the last change sent, until the commit road takes it (in the same turn). */
  private lastDigest: Uint8Array | undefined
  private lastWait: Promise<void> | undefined

  constructor(copies: LocalCopies, deletes: ClusterTombstones, fabric: FabricLink, targetsOf: (pid: number) => readonly string[], log: Logger) {
    this.copies = copies
    this.deletes = deletes
    this.fabric = fabric
    this.targetsOf = targetsOf
    this.log = log
  }

  private get namespace(): Namespace {
    return this.copies.namespace
  }

  recordChanged(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined, cause: ChangeCause): void {
    // A change nobody took the wait of (expiry, eviction) must not lend it to a later change of the record.
    this.lastDigest = undefined
    this.lastWait = undefined
    if (NOT_SENT_ON.has(cause)) return
    const targets = this.targetsOf(pid)
    if (targets.length === 0) {
      // A master with no other owner to tell: its delete is on every owner already.
      const deleted = after === undefined && this.namespace.mastersPartition(pid) ? this.namespace.tombstones.deleteOf(pid, digest) : undefined
      if (deleted !== undefined) this.deletes.everyOwnerHas(pid, digest, deleted)
      return
    }
    const record = this.remoteRecord(pid, digest, id, before, after)
    const payload = encodeRemoteRecord(this.namespace.name, record)
    const acks = targets.map((nodeId) => this.fabric.request(nodeId, MessageType.REPLICA_WRITE, payload, limits.replicaWriteTimeoutMs).then((reply) => {
      const code = reply[0] ?? ResultCode.SERVER_ERROR
      if (code !== ResultCode.OK) throw new Error(`replica ${nodeId} answered ${code}`)
    }))
    const deleted = record.bytes === undefined
    if (deleted) this.deletes.sent(digest)
    const wait = Promise.all(acks).then(
      () => {
        if (deleted) this.deletes.settled(pid, digest, record, true)
      },
      (err: unknown) => {
        setBit(this.copies.dirty, pid, true)
        if (deleted) this.deletes.settled(pid, digest, record, false)
        this.log.warn({ ns: this.namespace.name, pid, err: err instanceof Error ? err.message : String(err) }, 'a replica did not confirm a write; the copies converge at the next view')
        throw new CommandError(ResultCode.TIMEOUT, 'the change reached this node but not every replica')
      },
    )
    // A background change (expiry, eviction) has no command waiting on it.
    wait.catch(() => undefined)
    this.lastDigest = digest
    this.lastWait = wait
  }

  pendingFor(digest: Uint8Array): Promise<void> | undefined {
    const wait = this.lastDigest !== undefined && Buffer.compare(this.lastDigest, digest) === 0 ? this.lastWait : undefined
    this.lastDigest = undefined
    this.lastWait = undefined
    return wait
  }

  private remoteRecord(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined): RemoteRecord {
    if (after !== undefined) return versionOf(this.namespace, id, digest)
    // A delete takes part in later conflicts as its tombstone remembers it (a merged delete keeps its
    // own), else with the generation of the version it removed, and its own time.
    const remembered = this.namespace.tombstones.deleteOf(pid, digest)
    const generation = remembered?.generation ?? (before === undefined ? 0 : recordGeneration(before.buf, before.at))
    return { digest: Buffer.from(digest), setName: '', generation, lastUpdateMs: remembered?.lastUpdateMs ?? this.namespace.nowMs(), voidTime: 0, bytes: undefined }
  }
}

/** A replica's side: applies the master's version and answers once it is settled (durable where asked). */
export function serveReplicaWrites(fabric: FabricLink, namespaceOf: (name: string) => Namespace | undefined, log: Logger): void {
  fabric.onMessage(MessageType.REPLICA_WRITE, (from, payload, reply) => {
    const answer = (code: number): void => reply?.(Buffer.from([code]))
    let namespace: Namespace | undefined
    let record: RemoteRecord
    try {
      const decoded = decodeRemoteRecord(payload)
      namespace = namespaceOf(decoded.namespace)
      record = decoded.record
    } catch (err) {
      log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'malformed replica write dropped')
      return answer(ResultCode.PARAMETER_ERROR)
    }
    if (namespace === undefined) return answer(ResultCode.NAMESPACE_NOT_FOUND)
    try {
      const settled = commitRemote(namespace, record, 'replica').settled
      if (settled === undefined) return answer(ResultCode.OK)
      settled.then(() => answer(ResultCode.OK), () => answer(ResultCode.SERVER_ERROR))
    } catch (err) {
      answer(err instanceof CommandError ? err.resultCode : ResultCode.SERVER_ERROR)
    }
  })
}
