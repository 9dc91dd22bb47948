// The partitions a node is receiving, bounded by migrate-max-num-incoming. A partition's sender
// takes a slot with its first message and frees it with MIGRATE_DONE; a new view frees them all
// (every migration of the former view stopped). A first message that finds no free slot waits for
// one (its answer is the sender's pace), up to limits.migrationsWaitingForSlot of them; past that
// the sender is answered INCOMING_FULL and tries again later (outgoing-migrations.ts).
import { limits } from '../limits.ts'
import type { PartitionRef } from './migration.ts'

interface Waiting {
  key: string
  ns: string
  admitted: (ok: boolean) => void
}

export class IncomingMigrations {
  private readonly capacity: () => number
  /** Namespace of each partition being received, by `${ns}/${pid}/${kind}/${from}`. */
  private readonly slots = new Map<string, string>()
  private waiting: Waiting[] = []

  constructor(capacity: () => number) {
    this.capacity = capacity
  }

  /**
   * Whether the partition holds a slot, taking one if it is new and one is free; else a promise
   * that resolves true once it took one (false when the view changed), or false when too many wait.
   */
  admit(ref: PartitionRef, from: string): boolean | Promise<boolean> {
    const key = slotKey(ref, from)
    if (this.slots.has(key)) return true
    if (this.slots.size < this.capacity()) {
      this.slots.set(key, ref.namespace)
      return true
    }
    if (this.waiting.length >= limits.migrationsWaitingForSlot) return false
    return new Promise((admitted) => this.waiting.push({ key, ns: ref.namespace, admitted }))
  }

  finish(ref: PartitionRef, from: string): void {
    this.slots.delete(slotKey(ref, from))
    this.admitWaiting()
  }

  /** Gives free slots to the partitions waiting, in arrival order (also after the capacity grew). */
  admitWaiting(): void {
    while (this.waiting.length > 0 && this.slots.size < this.capacity()) {
      const next = this.waiting.shift()!
      this.slots.set(next.key, next.ns)
      next.admitted(true)
    }
  }

  clear(): void {
    this.slots.clear()
    const waiting = this.waiting
    this.waiting = []
    for (const w of waiting) w.admitted(false)
  }

  /** Partitions of the namespace being received now. */
  active(ns: string): number {
    let n = 0
    for (const name of this.slots.values()) if (name === ns) n++
    return n
  }
}

function slotKey(ref: PartitionRef, from: string): string {
  return `${ref.namespace}/${ref.pid}/${ref.kind}/${from}`
}
