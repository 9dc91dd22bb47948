// One simulated node's view of a shared manual Env: its own clock (an offset and a rate against
// simulated time, for clock skew), its own timers (which a crash silences: a killed process runs no
// more code), its own disk and its own host on the simulated network. Time itself stays one: every
// node's timers fire from the one manual scheduler, in one order, so a seed replays exactly.
import type { Clock, Disk, Env, Network, Scheduler, Timer } from '@aerolite/protocol'
import type { ManualEnv } from './manual-env.ts'

export interface ClockSkew {
  /** Added to the node's wall clock (ms). */
  wallOffsetMs: number
  /** How fast the node's clocks run against simulated time (1: exactly; 1.01: 1% fast). */
  rate: number
}

export interface SimNodeEnv extends Env {
  /** Cancels every timer of the node and ignores new ones: after it, none of the node's timers run. */
  halt(): void
  readonly halted: boolean
}

export function simNodeEnv(shared: ManualEnv, parts: { disk: Disk; network: Network; skew?: ClockSkew }): SimNodeEnv {
  const skew = parts.skew ?? { wallOffsetMs: 0, rate: 1 }
  if (!(skew.rate > 0)) throw new RangeError(`a clock rate must be above 0, not ${skew.rate}`)
  const startMs = shared.clock.monotonicMs()
  const clock: Clock = {
    // Both clocks run at the node's rate from the moment the node was made.
    monotonicMs: () => startMs + (shared.clock.monotonicMs() - startMs) * skew.rate,
    nowMs: () => shared.clock.nowMs() + skew.wallOffsetMs + (shared.clock.monotonicMs() - startMs) * (skew.rate - 1),
  }
  const timers = new Set<Timer>()
  let halted = false
  const never: Timer = { cancel: () => {} }
  // A node's `ms` is ms of its own clock: at rate r it passes in ms / r of simulated time.
  const track = (make: (release: () => void) => Timer): Timer => {
    if (halted) return never
    let timer: Timer | undefined
    const release = (): void => {
      if (timer !== undefined) timers.delete(timer)
    }
    const inner = make(release)
    timer = { cancel: () => { inner.cancel(); release() } }
    timers.add(timer)
    return timer
  }
  const scheduler: Scheduler = {
    after: (ms, run) => track((release) => shared.scheduler.after(ms / skew.rate, () => { release(); run() })),
    every: (ms, run) => track(() => shared.scheduler.every(ms / skew.rate, run)),
    soon: (run) => track((release) => shared.scheduler.soon(() => { release(); run() })),
    yieldTurn: () => new Promise<void>((resolve) => { scheduler.soon(resolve) }),
  }
  return {
    clock,
    scheduler,
    random: shared.random,
    disk: parts.disk,
    network: parts.network,
    halt: () => {
      halted = true
      for (const timer of [...timers]) timer.cancel()
    },
    get halted() {
      return halted
    },
  }
}
