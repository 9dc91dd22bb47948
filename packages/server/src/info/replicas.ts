// Partition ownership as the clients read it: one base64 bitmap of 4096 bits per replica index.
import { PARTITION_COUNT } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'

const BITMAP_BYTES = PARTITION_COUNT / 8

/** A single node masters every partition of every namespace. */
const ALL_PARTITIONS = Buffer.alloc(BITMAP_BYTES, 0xff).toString('base64')

export function replicas(ctx: NodeContext): string {
  return [...ctx.namespaces.keys()].map((ns) => `${ns}:0,1,${ALL_PARTITIONS}`).join(';')
}

export function replicasAll(ctx: NodeContext): string {
  return [...ctx.namespaces.keys()].map((ns) => `${ns}:1,${ALL_PARTITIONS}`).join(';')
}

export function replicasMaster(ctx: NodeContext): string {
  return [...ctx.namespaces.keys()].map((ns) => `${ns}:${ALL_PARTITIONS}`).join(';')
}
