// proto-fd-idle-ms: a client connection that has sent nothing for that long is closed. Time is the
// node's clock and scheduler, so a node on a simulated Env reaps on simulated time. A connection
// busy answering (a scan streaming, a reply waiting to settle) is never reaped.
import type { Clock, Scheduler, Timer } from '@aerolite/protocol'

export class IdleReaper {
  private readonly idleMs: number
  private readonly clock: Clock
  private readonly scheduler: Scheduler
  private readonly isBusy: () => boolean
  private readonly reap: () => void
  private lastActiveMs: number
  private timer: Timer | undefined

  constructor(idleMs: number, env: { clock: Clock; scheduler: Scheduler }, isBusy: () => boolean, reap: () => void) {
    this.idleMs = idleMs
    this.clock = env.clock
    this.scheduler = env.scheduler
    this.isBusy = isBusy
    this.reap = reap
    this.lastActiveMs = env.clock.monotonicMs()
    this.arm(idleMs)
  }

  /** The client sent something: the idle time starts again. */
  touch(): void {
    this.lastActiveMs = this.clock.monotonicMs()
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }

  private arm(ms: number): void {
    this.timer = this.scheduler.after(ms, this.check)
  }

  // One timer per connection, moved forward only when it fires: activity costs a clock read, not a timer.
  private readonly check = (): void => {
    const quietMs = this.clock.monotonicMs() - this.lastActiveMs
    if (this.isBusy()) return this.arm(this.idleMs)
    if (quietMs < this.idleMs) return this.arm(this.idleMs - quietMs)
    this.timer = undefined
    this.reap()
  }
}
