// Replication: every change a partition's master makes (client writes and deletes, UDFs, touches,
// expiry and eviction, records a merge took in) is sent to the partition's other owners, and the
// command that made it answers once all of them hold it (commit-level all). A change a replica could
// not confirm leaves the master's copy dirty: at the next view the others gather from it (or are
// refilled from it), so the copies converge; the member asks for that view once it reaches the
// other members again (`ReplicationRoutes.unreplicated`). A change whose replica writes the view
// change cut short is sent again, as the record is then, to the owners of the new view once its
// plans are ready, if this node still masters the partition: a view change (a node joining, a
// quiesce) does not fail the writes in flight.
// Replicas apply what the master sends as it is (commit-remote.ts); one whose storage refuses a
// version marks its copy behind (the member then asks for the view that refills it, once the storage
// takes writes again). A delete's tombstone is kept or dropped by what the owners answered
// (cluster-tombstones.ts).
import { ResultCode, partitionId } from '@aerolite/protocol'
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
import { NO_PLANTED_FAULTS, PLANTED_REPLICA_DELAY_MS, type PlantedFaults } from './planted-faults.ts'
import { FabricError } from './fabric/errors.ts'
import { setBit } from './partition-plan.ts'
import { versionOf } from './record-versions.ts'
import { decodeRemoteRecord, encodeRemoteRecord } from './remote-record-codec.ts'

/** Where a namespace's changes go, from the member's plans. */
export interface ReplicationRoutes {
  /** The owners the master sends each change of the partition to (none unless this node masters it). */
  targetsOf(pid: number): readonly string[]
  /** Resolves true once the current view's plans are computed, false past the wait for them. */
  whenPlanned(): Promise<boolean>
  /**
   * A change of the partition did not reach every owner and no owner answered that it refused it
   * (the copy is dirty now): nothing in the current view repairs that, so the member brings about a
   * new one.
   */
  unreplicated(pid: number): void
  /** Whether this node may still acknowledge writes (its lease deadline has not passed). */
  acknowledgesWrites(): boolean
}

/** A replica answered that it did not apply the change (its storage refused it). */
class ReplicaRefusal extends Error {}

/** Changes made elsewhere are not sent on: their origin already did (or, for a fill, the master does). */
const NOT_SENT_ON: ReadonlySet<ChangeCause> = new Set<ChangeCause>(['replica', 'truncate', 'dropped'])

export class Replicator implements RecordListener, ChangeReplication {
  private readonly copies: LocalCopies
  private readonly deletes: ClusterTombstones
  private readonly fabric: FabricLink
  private readonly routes: ReplicationRoutes
  private readonly log: Logger
  /** Deliberate bugs for the simulator (planted-faults.ts); empty in the product. */
  private readonly plantedFaults: PlantedFaults
  /** The wait of the last change sent, until the commit road takes it (in the same turn). */
  private lastDigest: Uint8Array | undefined
  private lastWait: Promise<void> | undefined

  constructor(copies: LocalCopies, deletes: ClusterTombstones, fabric: FabricLink, routes: ReplicationRoutes, log: Logger, plantedFaults: PlantedFaults = NO_PLANTED_FAULTS) {
    this.copies = copies
    this.deletes = deletes
    this.fabric = fabric
    this.routes = routes
    this.log = log
    this.plantedFaults = plantedFaults
  }

  private get namespace(): Namespace {
    return this.copies.namespace
  }

  recordChanged(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined, cause: ChangeCause): void {
    // A change nobody took the wait of (expiry, eviction) must not lend it to a later change of the record.
    this.lastDigest = undefined
    this.lastWait = undefined
    if (NOT_SENT_ON.has(cause)) return
    const targets = this.routes.targetsOf(pid)
    if (targets.length === 0) {
      // A master with no other owner to tell: its delete is on every owner already.
      const deleted = after === undefined && this.namespace.mastersPartition(pid) ? this.namespace.tombstones.deleteOf(pid, digest) : undefined
      if (deleted !== undefined) this.deletes.everyOwnerHas(pid, digest, deleted)
      return
    }
    const record = this.remoteRecord(pid, digest, id, before, after)
    const deleted = record.bytes === undefined
    if (deleted && this.plantedFaults.has('no-tombstone-replication')) {
      // Planted fault: the delete never reaches the replicas, yet counts as on every owner.
      this.deletes.everyOwnerHas(pid, digest, record)
      return
    }
    if (this.plantedFaults.has('ack-before-replica')) {
      // Planted fault: nothing waits on the replicas (the command answers at once, the record is not
      // in flight, a failure marks nothing dirty), and they are told only later: a master crash loses it.
      this.namespace.env.scheduler.after(PLANTED_REPLICA_DELAY_MS, () => void this.send(targets, record).catch(() => undefined))
      return
    }
    if (deleted) this.deletes.sent(digest)
    const wait = this.send(targets, record).catch((err: unknown) => {
      if (!(err instanceof FabricError && err.code === 'ERR_FABRIC_VIEW_CHANGED')) throw err
      return this.sendInNewView(pid, record)
    }).then(
      () => {
        if (deleted) this.deletes.settled(pid, digest, record, true)
        // The replicas hold it, but a node past its lease deadline acknowledges nothing: the
        // cluster may have gone on without it, so the client hears "in doubt".
        if (!this.routes.acknowledgesWrites()) throw new CommandError(ResultCode.TIMEOUT, 'this node\'s lease deadline passed before its replicas confirmed the write')
      },
      (err: unknown) => {
        if (err instanceof ReplicaRefusal) {
          // The replica got the change and could not store it: it marks its copy behind and asks for
          // the view that refills it, once its storage takes writes again (serveReplicaWrites).
          setBit(this.copies.dirty, pid, true)
        } else {
          // Nobody else knows the replica lacks it: this node brings about the view that repairs it.
          this.copies.changeUnreplicated(pid)
          this.routes.unreplicated(pid)
        }
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

  private async send(targets: readonly string[], record: RemoteRecord): Promise<void> {
    const payload = encodeRemoteRecord(this.namespace.name, record)
    await Promise.all(targets.map(async (nodeId) => {
      const code = (await this.fabric.request(nodeId, MessageType.REPLICA_WRITE, payload, limits.replicaWriteTimeoutMs))[0] ?? ResultCode.SERVER_ERROR
      if (code !== ResultCode.OK) throw new ReplicaRefusal(`replica ${nodeId} answered ${code}`)
    }))
  }

  /**
   * The view changed while the change was on its way: once the new view's plans are ready, sends the
   * record as it is now (a later change of it went out after, or goes out after, this) to the
   * partition's owners, if this node still masters it. Fails if it does not, or the view moves again.
   */
  private async sendInNewView(pid: number, sent: RemoteRecord): Promise<void> {
    if (!(await this.routes.whenPlanned())) throw new Error('the new view\'s plans were not ready in time')
    if (!this.namespace.mastersPartition(pid)) throw new Error(`partition ${pid} has another master in the new view`)
    const targets = this.routes.targetsOf(pid)
    if (targets.length === 0) return
    const id = this.namespace.findAny(sent.digest)
    const now = id >= 0 ? versionOf(this.namespace, id, sent.digest) : this.deleted(pid, sent.digest, undefined)
    await this.send(targets, now)
  }

  pendingFor(digest: Uint8Array): Promise<void> | undefined {
    const wait = this.lastDigest !== undefined && Buffer.compare(this.lastDigest, digest) === 0 ? this.lastWait : undefined
    this.lastDigest = undefined
    this.lastWait = undefined
    return wait
  }

  private remoteRecord(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined): RemoteRecord {
    return after !== undefined ? versionOf(this.namespace, id, digest) : this.deleted(pid, digest, before)
  }

  /**
   * A delete takes part in later conflicts as its tombstone remembers it (a merged delete keeps its
   * own), else with the generation of the version it removed, and its own time.
   */
  private deleted(pid: number, digest: Uint8Array, before: RecordLocation | undefined): RemoteRecord {
    const remembered = this.namespace.tombstones.deleteOf(pid, digest)
    const generation = remembered?.generation ?? (before === undefined ? 0 : recordGeneration(before.buf, before.at))
    const deleted: RemoteRecord = { digest: Buffer.from(digest), setName: '', generation, lastUpdateMs: remembered?.lastUpdateMs ?? this.namespace.nowMs(), voidTime: 0, bytes: undefined }
    const binVersions = remembered === undefined ? undefined : this.namespace.tombstones.binVersionsOf(pid, digest)
    if (binVersions !== undefined) deleted.binVersions = binVersions
    return deleted
  }
}

/**
 * A replica's side: applies the master's version and answers once it is settled (durable where asked).
 * A version it could not store (its storage refused it, or it did not become durable) is reported to
 * `missed`: this copy lacks it from then on, and must not count as full.
 */
export function serveReplicaWrites(fabric: FabricLink, namespaceOf: (name: string) => Namespace | undefined, missed: (namespace: Namespace, pid: number) => void, log: Logger): void {
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
    const ns = namespace
    try {
      const settled = commitRemote(ns, record, 'replica').settled
      if (settled === undefined) return answer(ResultCode.OK)
      settled.then(() => answer(ResultCode.OK), () => {
        missed(ns, partitionId(record.digest))
        answer(ResultCode.SERVER_ERROR)
      })
    } catch (err) {
      missed(ns, partitionId(record.digest))
      answer(err instanceof CommandError ? err.resultCode : ResultCode.SERVER_ERROR)
    }
  })
}
