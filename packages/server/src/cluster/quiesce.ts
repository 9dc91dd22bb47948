// Quiesce (how the Kubernetes operator drains a node before it stops it): `quiesce:` and
// `quiesce-undo:` only set what this node asks for; `recluster:` reaches every node as a cluster
// metadata entry, and each node then publishes what it asks for in its MemberInfo. The view that
// brings the change is the rebalance: its partition tables put the quiesced nodes last, so they
// hand their partitions to the others through the usual fills and handovers.
import type { Logger } from '../log.ts'
import type { Membership } from './membership.ts'
import { quiescedMembers, type MemberInfo } from './view.ts'

export class Quiesce {
  /** What this node asks for (quiesce: true, quiesce-undo: false); published at the next recluster. */
  pending = false
  private readonly log: Logger
  private cluster: { membership: Membership; nodeId: string } | undefined
  /**
   * What this node last published (undefined: unknown, see the view). The view lags a publication,
   * so a recluster right after another compares with this rather than with the view.
   */
  private published: boolean | undefined
  /** Recluster entries are applied one after the other. */
  private applying: Promise<void> = Promise.resolve()

  constructor(log: Logger) {
    this.log = log
  }

  /** In a cluster: from now on, recluster() publishes through `membership`. */
  follow(membership: Membership, nodeId: string): void {
    this.cluster = { membership, nodeId }
  }

  /**
   * A recluster entry arrived: publish the pending state unless it is already. Resolves once done;
   * never rejects (a failure is logged, and the next recluster tries again).
   */
  recluster(): Promise<void> {
    this.applying = this.applying.then(() => this.publish())
    return this.applying
  }

  /** Whether this node hands its partitions to the others in the current view. */
  get effective(): boolean {
    return this.quiescedNow().some((member) => member.nodeId === this.cluster?.nodeId)
  }

  /** How many members the current view treats as quiesced. */
  get nodesQuiesced(): number {
    return this.quiescedNow().length
  }

  private quiescedNow(): MemberInfo[] {
    const view = this.cluster?.membership.currentView()
    return view === undefined ? [] : quiescedMembers(view)
  }

  private async publish(): Promise<void> {
    if (this.cluster === undefined) return
    const { membership, nodeId } = this.cluster
    const self = membership.currentView()?.members.find((member) => member.nodeId === nodeId)
    // Not in the view (its lease was lost): the next recluster after it is back applies the state.
    if (self === undefined) {
      this.log.warn({ pending: this.pending }, 'recluster: this node is not in the cluster view, so its quiesce state waits for the next recluster')
      return
    }
    if ((this.published ?? self.quiesced ?? false) === this.pending) return
    const quiesced = this.pending
    try {
      await membership.updateSelf({ ...self, quiesced })
      this.published = quiesced
      this.log.info({ quiesced }, quiesced ? 'quiesced: this node hands its partitions to the others' : 'no longer quiesced: this node takes partitions again')
    } catch (error) {
      this.published = undefined
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'recluster: could not publish the quiesce state; the next recluster tries again')
    }
  }
}
