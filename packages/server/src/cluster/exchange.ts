// The copy reports of one view: every member sends its report (per namespace: which of its copies
// are full, hold data, are dirty) to every other member; once a node holds every member's report it
// computes the same partition plans as every other node.
import { FabricCodecError, PayloadReader, PayloadWriter } from './fabric/codec.ts'
import { PARTITION_BITS_BYTES, type CopyReport } from './partition-plan.ts'
import type { View } from './view.ts'

/** Reports by namespace name. */
export type CopyReports = ReadonlyMap<string, CopyReport>

export function encodeCopyReports(reports: CopyReports): Buffer {
  const out = new PayloadWriter(8 + reports.size * (40 + 3 * PARTITION_BITS_BYTES)).u8(reports.size)
  for (const [name, report] of reports) out.string(name).raw(report.full).raw(report.hasData).raw(report.dirty)
  return out.finish()
}

export function decodeCopyReports(payload: Buffer): Map<string, CopyReport> {
  const input = new PayloadReader(payload)
  const reports = new Map<string, CopyReport>()
  const count = input.u8()
  for (let i = 0; i < count; i++) {
    const name = input.string()
    if (reports.has(name)) throw new FabricCodecError(`copy report names namespace ${name} twice`)
    reports.set(name, { full: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)), hasData: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)), dirty: Uint8Array.from(input.raw(PARTITION_BITS_BYTES)) })
  }
  input.end()
  return reports
}

/** Collects the members' reports of one view. */
export class ViewExchange {
  readonly view: View
  private readonly received = new Map<string, CopyReports>()

  constructor(view: View, selfNodeId: string, own: CopyReports) {
    this.view = view
    this.received.set(selfNodeId, own)
  }

  /** Keeps a member's report (the first one: a resent report says the same). */
  receive(nodeId: string, reports: CopyReports): void {
    if (!this.received.has(nodeId) && this.view.members.some((m) => m.nodeId === nodeId)) this.received.set(nodeId, reports)
  }

  isComplete(): boolean {
    return this.received.size === this.view.members.length
  }

  /** Every member's report of a namespace, in the view's member order (an empty one where a member has no such namespace). */
  reportsOf(namespace: string, empty: () => CopyReport): CopyReport[] {
    return this.view.members.map((m) => this.received.get(m.nodeId)?.get(namespace) ?? empty())
  }
}
