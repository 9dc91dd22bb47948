// What the store and membership contract tests run on: a harness that makes stores and lets time
// pass (a manual clock for the in-process store, real time for etcd), a store wrapper that cuts one
// node off from a shared store, and a log that keeps what it was told.
import type { Clock, Random, Scheduler } from '@aerolite/protocol'
import type { MembershipLog } from '../../src/cluster/membership-client.ts'
import { StoreUnavailableError, type GrantedLease, type MembershipStore, type RangeResult, type StoreWatch, type WatchHandlers } from '../../src/cluster/membership-store.ts'
import type { MemberInfo } from '../../src/cluster/view.ts'

export interface TestEnv {
  clock: Clock
  scheduler: Scheduler
  random: Random
}

export interface Harness {
  env: TestEnv
  /** A store for one more node (the same store shared, or another client of it). */
  openStore(): Promise<MembershipStore>
  /** Lets `ms` of time pass. */
  pass(ms: number): Promise<void>
  /** Lets time pass until `check` holds; fails naming `what` after `withinMs`. */
  until(what: string, check: () => boolean, withinMs: number): Promise<void>
  /** A key prefix no other test uses (tests may share one etcd). */
  uniqueName(): string
  close(): Promise<void>
}

export type HarnessFactory = () => Promise<Harness>

/** Runs `check` against the harness's clock in small steps. */
export async function untilWith(pass: (ms: number) => Promise<void>, clock: Clock, what: string, check: () => boolean, withinMs: number, stepMs = 10): Promise<void> {
  const startMs = clock.monotonicMs()
  while (!check()) {
    if (clock.monotonicMs() - startMs > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`)
    await pass(stepMs)
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error'
  message: string
  details: object
}

export class MemoryLog implements MembershipLog {
  readonly lines: LogLine[] = []
  info(details: object, message: string): void {
    this.lines.push({ level: 'info', message, details })
  }
  warn(details: object, message: string): void {
    this.lines.push({ level: 'warn', message, details })
  }
  error(details: object, message: string): void {
    this.lines.push({ level: 'error', message, details })
  }
  matching(pattern: RegExp): LogLine[] {
    return this.lines.filter((line) => pattern.test(line.message))
  }
}

/** A node's way to the store that the test can cut (the node cannot reach the store; the store goes on). */
export class CutStore implements MembershipStore {
  readonly name: string
  private readonly inner: MembershipStore
  private readonly clock: Clock
  private cut = false
  private readonly watches = new Set<{ inner: StoreWatch; handlers: WatchHandlers; ended: boolean }>()
  /** Monotonic time the last grant or keep-alive that got a TTL back was sent. */
  lastRenewalSentAtMs: number | undefined
  renewalsSent = 0

  constructor(inner: MembershipStore, clock: Clock) {
    this.inner = inner
    this.clock = clock
    this.name = inner.name
  }

  setCut(cut: boolean): void {
    this.cut = cut
    if (!cut) return
    for (const watch of [...this.watches]) {
      watch.ended = true
      watch.inner.cancel()
      this.watches.delete(watch)
      queueMicrotask(() => watch.handlers.onError(this.unreachable()))
    }
  }

  async grantLease(ttlSeconds: number): Promise<GrantedLease> {
    const sentAtMs = this.clock.monotonicMs()
    const lease = await this.pass(() => this.inner.grantLease(ttlSeconds))
    this.lastRenewalSentAtMs = sentAtMs
    return lease
  }

  async keepAliveOnce(leaseId: string): Promise<number | 'gone'> {
    const sentAtMs = this.clock.monotonicMs()
    this.renewalsSent++
    const ttl = await this.pass(() => this.inner.keepAliveOnce(leaseId))
    if (ttl !== 'gone') this.lastRenewalSentAtMs = sentAtMs
    return ttl
  }

  revokeLease(leaseId: string): Promise<void> {
    return this.pass(() => this.inner.revokeLease(leaseId))
  }

  put(key: string, value: string, leaseId?: string): Promise<number> {
    return this.pass(() => this.inner.put(key, value, leaseId))
  }

  putIfUnchanged(key: string, value: string, modRevision: number): Promise<number | undefined> {
    return this.pass(() => this.inner.putIfUnchanged(key, value, modRevision))
  }

  delete(key: string): Promise<number | undefined> {
    return this.pass(() => this.inner.delete(key))
  }

  range(prefix: string, atRevision?: number): Promise<RangeResult> {
    return this.pass(() => this.inner.range(prefix, atRevision))
  }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    if (this.cut) {
      queueMicrotask(() => handlers.onError(this.unreachable()))
      return { cancel: () => {} }
    }
    const entry = {
      ended: false,
      handlers,
      inner: this.inner.watch(prefix, fromRevision, {
        onEvents: (events) => {
          if (!entry.ended) handlers.onEvents(events)
        },
        onError: (error) => {
          if (entry.ended) return
          entry.ended = true
          this.watches.delete(entry)
          handlers.onError(error)
        },
      }),
    }
    this.watches.add(entry)
    return {
      cancel: () => {
        entry.ended = true
        this.watches.delete(entry)
        entry.inner.cancel()
      },
    }
  }

  compact(revision: number): Promise<void> {
    return this.pass(() => this.inner.compact(revision))
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.inner.cancel()
    this.watches.clear()
  }

  /** A call fails when the node is cut off as it is made, or by the time its answer comes back. */
  private async pass<T>(call: () => Promise<T>): Promise<T> {
    if (this.cut) throw this.unreachable()
    const result = await call()
    if (this.cut) throw this.unreachable()
    return result
  }

  private unreachable(): StoreUnavailableError {
    return new StoreUnavailableError(`${this.name} is unreachable: cut off by the test`)
  }
}

/** A member with node id `n` (hex), on made-up ports. */
export function memberInfo(n: number): MemberInfo {
  return {
    nodeId: n.toString(16).toUpperCase().padStart(12, '0'),
    service: { host: '127.0.0.1', port: 3000 + n },
    fabric: { host: '127.0.0.1', port: 3100 + n },
    rackIds: { test: n % 2 },
    build: 'test',
  }
}
