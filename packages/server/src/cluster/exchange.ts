// The copy reports of one view: every member sends its report (per namespace: which of its copies
// are full, hold data, are dirty) to every other member; once a node holds every member's report it
// computes the same partition plans as every other node.
import { PARTITION_BITS_BYTES, type CopyReport } from './partition-plan.ts'
import type { View } from './view.ts'

/** Reports by namespace name. */
export type CopyReports = ReadonlyMap<string, CopyReport>

export function encodeCopyReports(reports: CopyReports): Buffer {
  const parts: Uint8Array[] = [Buffer.from([reports.size])]
  for (const [name, report] of reports) {
    const nameBytes = Buffer.from(name)
    parts.push(Buffer.from([nameBytes.length]), nameBytes, report.full, report.hasData, report.dirty)
  }
  return Buffer.concat(parts)
}

export function decodeCopyReports(payload: Buffer): Map<string, CopyReport> {
  const reports = new Map<string, CopyReport>()
  let at = 1
  const take = (bytes: number): Buffer => {
    if (at + bytes > payload.length) throw new Error(`copy report of ${payload.length} bytes ends early`)
    const part = payload.subarray(at, at + bytes)
    at += bytes
    return part
  }
  for (let i = 0; i < (payload[0] ?? 0); i++) {
    const name = take(take(1)[0]!).toString()
    reports.set(name, { full: Uint8Array.from(take(PARTITION_BITS_BYTES)), hasData: Uint8Array.from(take(PARTITION_BITS_BYTES)), dirty: Uint8Array.from(take(PARTITION_BITS_BYTES)) })
  }
  if (at !== payload.length) throw new Error(`copy report has ${payload.length - at} bytes too many`)
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

  has(nodeId: string): boolean {
    return this.received.has(nodeId)
  }

  isComplete(): boolean {
    return this.received.size === this.view.members.length
  }

  /** Every member's report of a namespace, in the view's member order (an empty one where a member has no such namespace). */
  reportsOf(namespace: string, empty: () => CopyReport): CopyReport[] {
    return this.view.members.map((m) => this.received.get(m.nodeId)?.get(namespace) ?? empty())
  }
}
