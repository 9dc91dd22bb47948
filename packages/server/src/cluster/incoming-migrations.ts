// The partitions a node is receiving, bounded by migrate-max-num-incoming. A partition's sender
// takes a slot with its first message and frees it with MIGRATE_DONE; a new view frees them all
// (every migration of the former view stopped). A sender that finds no free slot is answered
// INCOMING_FULL and tries again later (outgoing-migrations.ts).
import type { PartitionRef } from './migration.ts'

export class IncomingMigrations {
  private readonly capacity: () => number
  /** Namespace of each partition being received, by `${ns}/${pid}/${kind}/${from}`. */
  private readonly slots = new Map<string, string>()

  constructor(capacity: () => number) {
    this.capacity = capacity
  }

  /** Whether the partition holds a slot, taking one if it is new and one is free. */
  admit(ref: PartitionRef, from: string): boolean {
    const key = slotKey(ref, from)
    if (this.slots.has(key)) return true
    if (this.slots.size >= this.capacity()) return false
    this.slots.set(key, ref.namespace)
    return true
  }

  finish(ref: PartitionRef, from: string): void {
    this.slots.delete(slotKey(ref, from))
  }

  clear(): void {
    this.slots.clear()
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
