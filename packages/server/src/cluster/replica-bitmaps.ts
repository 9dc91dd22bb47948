// What one node answers to `replicas` for a namespace: per replica index, a base64 bitmap of the 4096
// partitions it acts for at that index (bit 0x80 >> (pid & 7) of byte pid >> 3, as the clients
// read it). Built from "who acts" rather than the table: while a new owner is being filled, another
// node of the succession acts in its place.
import { PARTITION_COUNT } from '@aerolite/protocol'
import type { PartitionTable } from './partition-table.ts'

const BITMAP_BYTES = PARTITION_COUNT / 8

/** The members (indexes into the view's members) acting for `pid`, by replica index (0 = master); -1 for none. */
export type ActingOwners = (pid: number) => ArrayLike<number>

/** The table's natural owners as the acting ones (a settled cluster). */
export function naturalOwners(table: PartitionTable): ActingOwners {
  return (pid) => table.owners(pid)
}

/**
 * The base64 bitmaps of member `memberIndex` for replica indexes 0..replicaCount-1 (acting lists
 * longer than replicaCount are read only that far). A node acting for nothing gets empty bitmaps.
 */
export function replicaBitmaps(memberIndex: number, replicaCount: number, acting: ActingOwners): string[] {
  if (!(Number.isInteger(replicaCount) && replicaCount >= 1 && replicaCount <= 255)) throw new RangeError(`replica count ${replicaCount} outside 1..255`)
  const bitmaps = Array.from({ length: replicaCount }, () => Buffer.alloc(BITMAP_BYTES))
  // A negative index (not a member) must not match the -1 that marks "nobody acts".
  for (let pid = 0; memberIndex >= 0 && pid < PARTITION_COUNT; pid++) {
    const owners = acting(pid)
    const count = Math.min(owners.length, replicaCount)
    for (let replica = 0; replica < count; replica++) {
      if (owners[replica] === memberIndex) bitmaps[replica]![pid >> 3]! |= 0x80 >> (pid & 7)
    }
  }
  return bitmaps.map((bitmap) => bitmap.toString('base64'))
}

/**
 * The bitmaps of a node that may not acknowledge writes (its lease deadline passed): it claims no
 * partition as master, and every partition it holds a copy of as replica 1, so it still serves
 * reads a client sends to a replica. With regime 0 the official clients take the latest claim for a
 * partition, and a master taken over makes them read the old master's claim again: a cut-off node
 * that kept claiming mastership would win the partitions back from the nodes that took them over.
 */
export function withoutMastership(bitmaps: readonly string[]): string[] {
  const held = Buffer.alloc(BITMAP_BYTES)
  for (const bitmap of bitmaps) {
    const bytes = Buffer.from(bitmap, 'base64')
    for (let i = 0; i < BITMAP_BYTES; i++) held[i]! |= bytes[i]!
  }
  const empty = Buffer.alloc(BITMAP_BYTES).toString('base64')
  return [empty, held.toString('base64'), ...bitmaps.slice(2).map(() => empty)]
}

/** The bitmaps of node `nodeId` for the table's natural owners (empty ones if it is not a member). */
export function tableReplicaBitmaps(table: PartitionTable, nodeId: string): string[] {
  return replicaBitmaps(table.indexOf(nodeId), table.replicationFactor, naturalOwners(table))
}

/** One namespace's part of the `replicas` answer: `ns:regime,n,<bitmap 0>,...,<bitmap n-1>` (regime 0 in AP). */
export function replicasEntry(namespace: string, regime: number, bitmaps: readonly string[]): string {
  return `${namespace}:${regime},${bitmaps.length},${bitmaps.join(',')}`
}
