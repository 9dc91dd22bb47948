// Copies that missed replica writes, and the new view that repairs them. Nothing in a view makes up
// a change a copy missed: only the next view's plan does (it refills a copy reported not full, and
// refills from or gathers a copy reported dirty). So once the cause has passed, this node asks the
// membership for a new view:
//   - behind: its storage refused a replica write (a full or failing disk, a write queue over
//     max-write-cache); asked for once the storage takes writes again;
//   - unreplicated: a change it made as master was not confirmed by every owner (unreachable, a
//     channel redialling after a crash, a timeout) while that owner is still a member; asked for
//     once every other member answers again, since a view whose copy reports cannot get across
//     (a network partition) makes no plans and holds every command.
import type { Scheduler, Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { LocalCopies } from './local-copies.ts'

export interface RepairedPart {
  namespace: Namespace
  copies: LocalCopies
}

export interface CopyRepairOptions {
  scheduler: Scheduler
  log: Logger
  parts: () => Iterable<RepairedPart>
  /** Asks the membership for a new view (the same members). */
  republish: () => Promise<void>
  /** Whether every other member of the current view answers now. */
  reachesEveryMember: () => Promise<boolean>
  /** Something that changes with every view (a probe's answer counts only for the view it probed). */
  currentView: () => unknown
}

export class CopyRepair {
  private readonly options: CopyRepairOptions
  private check: Timer | undefined
  private stopped = false

  constructor(options: CopyRepairOptions) {
    this.options = options
  }

  /** The storage refused a replica write of partition pid: the copy lacks the master's version. */
  replicaWriteMissed(part: RepairedPart, pid: number): void {
    if (this.stopped) return
    if (!part.copies.anyBehind()) this.options.log.warn({ ns: part.namespace.name, pid }, 'this node could not store a replica write; its copies that missed one are refilled at a new view once its storage takes writes again')
    part.copies.missedWrite(pid)
    this.checkLater()
  }

  /** A change this node made as master did not reach every owner: its copy is dirty. */
  changeUnreplicated(): void {
    this.checkLater()
  }

  stop(): void {
    this.stopped = true
    this.check?.cancel()
    this.check = undefined
  }

  private checkLater(): void {
    if (this.check !== undefined || this.stopped) return
    this.check = this.options.scheduler.after(limits.refillCheckMs, () => {
      this.check = undefined
      this.askForView()
    })
  }

  private askForView(): void {
    if (this.stopped) return
    const parts = [...this.options.parts()]
    const behind = parts.filter((part) => part.copies.anyBehind())
    const unreplicated = parts.filter((part) => part.copies.anyUnreplicated())
    // A view came meanwhile, and its plan repaired them.
    if (behind.length === 0 && unreplicated.length === 0) return
    if (!behind.every((part) => part.namespace.storageAcceptsWrites())) return this.checkLater()
    const republish = (): void => {
      this.options.log.info({ behind: behind.map((part) => part.namespace.name), unreplicated: unreplicated.map((part) => part.namespace.name) }, 'asking for a new view to repair the copies that missed replica writes')
      this.options.republish().catch((err: unknown) => {
        this.options.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not ask for a new view; trying again')
        this.checkLater()
      })
    }
    if (unreplicated.length === 0) return republish()
    const view = this.options.currentView()
    this.options.reachesEveryMember().then((reached) => {
      if (this.stopped) return
      if (reached && this.options.currentView() === view) republish()
      else this.checkLater()
    }, () => this.checkLater())
  }
}
