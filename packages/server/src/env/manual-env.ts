// An Env a test (or the simulator) drives by hand: time moves only when the test advances it,
// timers fire in time order, `soon` and `yieldTurn` work waits in a queue the test drains, random
// numbers come from a seed, and files live in memory. The network is handed in (the real one
// by default): two nodes in one process still talk over loopback sockets.
import type { Clock, Env, Network, Random, Scheduler, Timer } from '@aerolite/protocol'
import { MemoryDisk } from './memory-disk.ts'
import { realNetwork } from './real-network.ts'

/** 2026-01-01T00:00:00Z: a manual clock's wall time at its start, unless told otherwise. */
export const MANUAL_EPOCH_MS = Date.UTC(2026, 0, 1)

export class ManualClock implements Clock {
  private elapsedMs = 0
  private wallOffsetMs: number

  constructor(startWallMs = MANUAL_EPOCH_MS) {
    this.wallOffsetMs = startWallMs
  }

  nowMs(): number {
    return this.wallOffsetMs + this.elapsedMs
  }

  monotonicMs(): number {
    return this.elapsedMs
  }

  /** Moves time forward; only the scheduler calls this, so timers never miss their moment. */
  moveTo(monotonicMs: number): void {
    if (monotonicMs < this.elapsedMs) throw new RangeError(`the monotonic clock cannot go back (from ${this.elapsedMs} to ${monotonicMs} ms)`)
    this.elapsedMs = monotonicMs
  }

  /** Steps the wall clock alone (clock skew, an NTP correction); monotonic time is unaffected. */
  skewWallMs(deltaMs: number): void {
    this.wallOffsetMs += deltaMs
  }
}

/** A class rather than an object with a cancel closure: a run of the simulator makes tens of thousands. */
class ManualTimer implements Timer {
  atMs: number
  /** Order of creation: timers due at the same moment fire in the order they were set. */
  readonly seq: number
  readonly periodMs: number | undefined
  readonly run: () => void
  cancelled = false

  constructor(atMs: number, seq: number, periodMs: number | undefined, run: () => void) {
    this.atMs = atMs
    this.seq = seq
    this.periodMs = periodMs
    this.run = run
  }

  cancel(): void {
    this.cancelled = true
  }
}

export class ManualScheduler implements Scheduler {
  private readonly clock: ManualClock
  /** Timers by due time (then creation order), a binary heap; cancelled ones leave it when they reach the top. */
  private readonly timers: ManualTimer[] = []
  private queue: ManualTimer[] = []
  private seq = 0
  /** Work off the clock (offClock) not yet done: nothing else runs meanwhile. */
  private readonly held = new Set<Promise<void>>()

  constructor(clock: ManualClock) {
    this.clock = clock
  }

  after(ms: number, run: () => void): Timer {
    return this.add(Math.max(0, ms), undefined, run)
  }

  every(ms: number, run: () => void): Timer {
    if (!(ms > 0)) throw new RangeError(`a repeating timer needs a period above 0 ms, not ${ms}`)
    return this.add(ms, ms, run)
  }

  soon(run: () => void): Timer {
    const task = this.newTimer(this.clock.monotonicMs(), undefined, run)
    this.queue.push(task)
    return task
  }

  yieldTurn(): Promise<void> {
    return new Promise<void>((resolve) => this.soon(resolve))
  }

  offClock<T>(work: () => Promise<T>): Promise<T> {
    const done = work()
    const held = done.then(() => undefined, () => undefined)
    this.held.add(held)
    void held.then(() => this.held.delete(held))
    return done
  }

  /** Timers not yet fired (or cancelled). */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }

  /** Work queued by soon() or yieldTurn() and not yet run. */
  get queuedTasks(): number {
    return this.queue.filter((t) => !t.cancelled).length
  }

  /**
   * Runs queued work until none is left, letting promise continuations run in between (work may
   * queue more work, e.g. a sweep that yields every few partitions). Time does not move.
   */
  async drain(): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      await settleMicrotasks()
      while (this.held.size > 0) {
        await Promise.all(this.held)
        await settleMicrotasks()
      }
      if (this.queue.length === 0) return
      if (rounds > 1_000_000) throw new Error('queued work keeps queuing more: a loop that never ends?')
      const batch = this.queue
      this.queue = []
      for (const task of batch) if (!task.cancelled) task.run()
    }
  }

  /** Moves time forward by ms, firing the timers due on the way in time order, draining the queue after each. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.clock.monotonicMs() + ms
    await this.drain()
    for (;;) {
      const next = this.nextDue(targetMs)
      if (next === undefined) break
      this.clock.moveTo(next.atMs)
      if (next.periodMs === undefined) next.cancelled = true
      else {
        next.atMs += next.periodMs
        this.push(next)
      }
      next.run()
      await this.drain()
    }
    this.clock.moveTo(targetMs)
  }

  /** Takes the first timer due by targetMs (earliest, then first set) off the heap. */
  private nextDue(targetMs: number): ManualTimer | undefined {
    const timers = this.timers
    while (timers.length > 0) {
      const top = timers[0]!
      if (!top.cancelled && top.atMs > targetMs) return undefined
      const last = timers.pop()!
      if (timers.length > 0) {
        timers[0] = last
        this.siftDown(0)
      }
      if (!top.cancelled) return top
    }
    return undefined
  }

  private push(timer: ManualTimer): void {
    const timers = this.timers
    let i = timers.length
    timers.push(timer)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!firesBefore(timer, timers[parent]!)) break
      timers[i] = timers[parent]!
      i = parent
    }
    timers[i] = timer
  }

  private siftDown(i: number): void {
    const timers = this.timers
    const n = timers.length
    const timer = timers[i]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && firesBefore(timers[child + 1]!, timers[child]!)) child++
      if (!firesBefore(timers[child]!, timer)) break
      timers[i] = timers[child]!
      i = child
    }
    timers[i] = timer
  }

  private add(delayMs: number, periodMs: number | undefined, run: () => void): Timer {
    const timer = this.newTimer(this.clock.monotonicMs() + delayMs, periodMs, run)
    this.push(timer)
    return timer
  }

  private newTimer(atMs: number, periodMs: number | undefined, run: () => void): ManualTimer {
    return new ManualTimer(atMs, this.seq++, periodMs, run)
  }
}

/** Timers due at the same moment fire in the order they were set. */
function firesBefore(a: ManualTimer, b: ManualTimer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
}

/** Lets every promise continuation already due run (they are microtasks, not time). */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** xoshiro128** seeded through splitmix32: fast, small, and the same sequence for the same seed everywhere. */
export class SeededRandom implements Random {
  private readonly s = new Uint32Array(4)

  constructor(seed: number) {
    let x = seed >>> 0
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      this.s[i] = (z ^ (z >>> 16)) >>> 0
    }
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s
    let s0 = s[0]!
    let s1 = s[1]!
    let s2 = s[2]!
    let s3 = s[3]!
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 11)
    s[0] = s0
    s[1] = s1
    s[2] = s2
    s[3] = s3
    return result
  }

  float(): number {
    // 53 random bits: 27 from one draw, 26 from the next.
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992
  }

  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 4) {
      let word = this.nextUint32()
      for (let j = i; j < Math.min(i + 4, bytes.length); j++, word >>>= 8) bytes[j] = word & 0xff
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

export interface ManualEnv extends Env {
  readonly clock: ManualClock
  readonly scheduler: ManualScheduler
  readonly random: SeededRandom
  readonly disk: MemoryDisk
}

export interface ManualEnvOptions {
  seed?: number
  /** Wall time at the start (default MANUAL_EPOCH_MS). */
  startWallMs?: number
  network?: Network
}

export function manualEnv(options: ManualEnvOptions = {}): ManualEnv {
  const clock = new ManualClock(options.startWallMs)
  const scheduler = new ManualScheduler(clock)
  return {
    clock,
    scheduler,
    random: new SeededRandom(options.seed ?? 1),
    disk: new MemoryDisk(scheduler),
    network: options.network ?? realNetwork,
  }
}
