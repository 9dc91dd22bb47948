// The copy reports of one view: every member sends its report (per namespace: which of its copies
// are full, hold data, are dirty) to every other member; once a node holds every member's report it
// computes the same partition plans as every other node. Each report also names the members of the
// last view its sender formed a cluster in (made plans in): while one of them is absent and some
// partition has no full copy, the plan waits for it (cluster-member.ts, planIfComplete).
import { FabricCodecError, PayloadReader, PayloadWriter } from './fabric/codec.ts'
import { PARTITION_BITS_BYTES, type CopyReport } from './partition-plan.ts'
import type { View } from './view.ts'

/** Reports by namespace name. */
export type CopyReports = ReadonlyMap<string, CopyReport>

/** The reports, then the node ids of the sender's last cluster (none when it formed none since it started). */
export function encodeCopyReports(reports: CopyReports, lastMembers: readonly string[] = []): Buffer {
  const out = new PayloadWriter(8 + reports.size * (40 + 3 * PARTITION_BITS_BYTES) + lastMembers.length * 24).u8(reports.size)
  for (const [name, report] of reports) out.string(name).raw(report.full).raw(report.hasData).raw(report.dirty)
  out.u16(lastMembers.length)
  for (const nodeId of lastMembers) out.string(nodeId)
  return out.finish()
}

export function decodeCopyReports(payload: Buffer): { reports: Map<string, CopyReport>; lastMembers: string[] } {
  const input = new PayloadReader(payload)
  const reports = new Map<string, CopyReport>()
  const count = input.u8()
  for (let i = 0; i < count; i++) {
    const name = input.string()
    if (reports.has(name)) throw new FabricCodecError(`copy report names namespace ${name} twice`)
    reports.set(name, { full: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)), hasData: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)), dirty: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)) })
  }
  const lastMembers: string[] = []
  // A report of an older build ends here: it names no last cluster.
  if (input.remaining > 0) for (let i = input.u16(); i > 0; i--) lastMembers.push(input.string())
  input.end()
  return { reports, lastMembers }
}

/** Collects the members' reports of one view. */
export class ViewExchange {
  readonly view: View
  private readonly received = new Map<string, CopyReports>()
  private readonly lastMembers = new Map<string, readonly string[]>()

  constructor(view: View, selfNodeId: string, own: CopyReports, ownLastMembers: readonly string[] = []) {
    this.view = view
    this.received.set(selfNodeId, own)
    this.lastMembers.set(selfNodeId, ownLastMembers)
  }

  /** Keeps a member's report (the first one: a resent report says the same). */
  receive(nodeId: string, reports: CopyReports, lastMembers: readonly string[] = []): void {
    if (!this.received.has(nodeId) && this.view.members.some((m) => m.nodeId === nodeId)) {
      this.received.set(nodeId, reports)
      this.lastMembers.set(nodeId, lastMembers)
    }
  }

  /** The members of some member's last cluster that are not in this view (sorted): the same on every node once complete. */
  absentLastMembers(): string[] {
    const present = new Set(this.view.members.map((m) => m.nodeId))
    const absent = new Set<string>()
    for (const ids of this.lastMembers.values()) for (const id of ids) if (!present.has(id)) absent.add(id)
    return [...absent].sort()
  }

  isComplete(): boolean {
    return this.received.size === this.view.members.length
  }

  /** Every member's report of a namespace, in the view's member order (an empty one where a member has no such namespace). */
  reportsOf(namespace: string, empty: () => CopyReport): CopyReport[] {
    return this.view.members.map((m) => this.received.get(m.nodeId)?.get(namespace) ?? empty())
  }
}
