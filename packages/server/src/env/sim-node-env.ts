// One simulated node's view of a shared manual Env: its own clock (an offset and a rate against
// simulated time, for clock skew), its own timers (which a crash silences: a killed process runs no
// more code; which a pause holds: a stopped process runs none until it is continued), its own disk
// and its own host on the simulated network. Time itself stays one: every node's timers fire from
// the one manual scheduler, in one order, so a seed replays exactly.
import type { Clock, Disk, Env, Network, Scheduler, Timer } from '@aerolite/protocol'
import type { ManualEnv } from './manual-env.ts'

export interface ClockSkew {
  /** Added to the node's wall clock (ms). Read at every reading: changing it steps the clock, as NTP steps a host's. */
  wallOffsetMs: number
  /** How fast the node's clocks run against simulated time (1: exactly; 1.01: 1% fast). */
  rate: number
}

export interface SimNodeEnv extends Env {
  /** Cancels every timer of the node and ignores new ones: after it, none of the node's timers run. */
  halt(): void
  readonly halted: boolean
  /**
   * Stops the node's process (SIGSTOP): none of its timers or `soon` tasks runs until resume().
   * Those that come due meanwhile are held; timers set meanwhile still count from when they were
   * set. The node's clocks keep running. A repeating timer is held once however often it came due
   * (as an overdue interval fires once when the process runs again).
   */
  pause(): void
  /** Continues the node (SIGCONT): on the next turn, the held work runs in the order it came due. */
  resume(): void
  readonly paused: boolean
}

export interface SimNodeParts {
  /**
   * The node's disk, or a function making it on the node's scheduler (then a paused node's disk
   * calls complete only once it resumes, and a halted node's never: no callback runs in a stopped
   * or dead process).
   */
  disk: Disk | ((scheduler: Scheduler) => Disk)
  network: Network
  skew?: ClockSkew
}

interface NodeTimer extends Timer {
  /** A one-shot timer or `soon` task (done after it runs once) rather than a repeating one. */
  once: boolean
  run: () => void
  inner: Timer | undefined
  done: boolean
  /** Came due while the node was paused and waits in `held`. */
  held: boolean
}

export function simNodeEnv(shared: ManualEnv, parts: SimNodeParts): SimNodeEnv {
  const skew = parts.skew ?? { wallOffsetMs: 0, rate: 1 }
  if (!(skew.rate > 0)) throw new RangeError(`a clock rate must be above 0, not ${skew.rate}`)
  const startMs = shared.clock.monotonicMs()
  const clock: Clock = {
    // Both clocks run at the node's rate from the moment the node was made.
    monotonicMs: () => startMs + (shared.clock.monotonicMs() - startMs) * skew.rate,
    nowMs: () => shared.clock.nowMs() + skew.wallOffsetMs + (shared.clock.monotonicMs() - startMs) * (skew.rate - 1),
  }
  const timers = new Set<NodeTimer>()
  /** Work that came due while paused, in the order it came due. */
  let held: NodeTimer[] = []
  let halted = false
  let paused = false
  let releasing = false
  const never: Timer = { cancel: () => {} }

  const finish = (timer: NodeTimer): void => {
    timer.done = true
    timers.delete(timer)
  }
  const fire = (timer: NodeTimer): void => {
    if (timer.done) return
    if (paused || held.length > 0) {
      // Held work keeps its turn: nothing the node runs may overtake what came due before it.
      if (!timer.held) {
        timer.held = true
        held.push(timer)
      }
      return
    }
    if (timer.once) finish(timer)
    timer.run()
  }
  const release = (): void => {
    releasing = false
    while (!paused && held.length > 0) {
      const timer = held.shift()!
      timer.held = false
      if (timer.done) continue
      if (timer.once) finish(timer)
      timer.run()
    }
  }
  // A node's `ms` is ms of its own clock: at rate r it passes in ms / r of simulated time.
  const track = (once: boolean, run: () => void, make: (fire: () => void) => Timer): Timer => {
    if (halted) return never
    const timer: NodeTimer = {
      once, run, inner: undefined, done: false, held: false,
      cancel: () => {
        timer.inner?.cancel()
        finish(timer)
      },
    }
    timers.add(timer)
    timer.inner = make(() => fire(timer))
    return timer
  }
  const scheduler: Scheduler = {
    after: (ms, run) => track(true, run, (due) => shared.scheduler.after(ms / skew.rate, due)),
    every: (ms, run) => track(false, run, (due) => shared.scheduler.every(ms / skew.rate, due)),
    soon: (run) => track(true, run, (due) => shared.scheduler.soon(due)),
    yieldTurn: () => new Promise<void>((resolve) => { scheduler.soon(resolve) }),
    offClock: (work) => shared.scheduler.offClock(work),
  }
  return {
    clock,
    scheduler,
    random: shared.random,
    disk: typeof parts.disk === 'function' ? parts.disk(scheduler) : parts.disk,
    network: parts.network,
    halt: () => {
      halted = true
      for (const timer of [...timers]) timer.cancel()
      held = []
    },
    get halted() {
      return halted
    },
    pause: () => {
      paused = true
    },
    resume: () => {
      if (!paused) return
      paused = false
      if (halted || held.length === 0 || releasing) return
      releasing = true
      shared.scheduler.soon(release)
    },
    get paused() {
      return paused
    },
  }
}
