// The edges of a node: time, timers, randomness, files and sockets. Everything under a node
// reaches the outside world only through the Env it was given, so a test (and the simulator) can
// run whole nodes on a hand-driven clock, a seeded random source and in-memory disks and links.

export interface Clock {
  /** Wall time in ms since the Unix epoch: record last-update times, void times, truncate cutoffs. */
  nowMs(): number
  /** Monotonic time in ms from an arbitrary origin: durations, deadlines, leases. Never goes back. */
  monotonicMs(): number
}

export interface Timer {
  cancel(): void
}

export interface Scheduler {
  /** Runs `run` once, after `ms`. Background timers never keep the process alive on their own. */
  after(ms: number, run: () => void): Timer
  /** Runs `run` every `ms` until cancelled. */
  every(ms: number, run: () => void): Timer
  /** Runs `run` once the I/O already waiting has had its turn (group commit, sliced work). */
  soon(run: () => void): Timer
  /** Resolves once the I/O already waiting has had its turn: a yield point for long work. */
  yieldTurn(): Promise<void>
}

export interface Random {
  /** A float in [0, 1). */
  float(): number
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): void
}

export interface Env {
  readonly clock: Clock
  readonly scheduler: Scheduler
  readonly random: Random
}
