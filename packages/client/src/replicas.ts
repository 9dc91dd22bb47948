// The `replicas` info value (wire reference §2.4): for each namespace, one base64 bitmap of 4096
// partitions per replica index; bit (0x80 >> (pid & 7)) of byte (pid >> 3) set = this node holds it.
import { PARTITION_COUNT } from '@aerolite/protocol'

const BITMAP_BYTES = PARTITION_COUNT / 8
/** Standard base64 with padding of 512 bytes; the official clients reject any other length. */
const BITMAP_BASE64_CHARS = Math.ceil(BITMAP_BYTES / 3) * 4
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const MAX_NAMESPACE_BYTES = 31

export interface NamespaceReplicas {
  namespace: string
  /** Non-zero: strong consistency. */
  regime: number
  /** bitmaps[i] = partitions this node holds as replica i (0 = master). */
  bitmaps: Buffer[]
}

export class ReplicasFormatError extends Error {
  readonly code = 'ERR_REPLICAS_FORMAT'
  constructor(message: string) {
    super(message)
    this.name = 'ReplicasFormatError'
  }
}

export function parseReplicas(value: string): NamespaceReplicas[] {
  const out: NamespaceReplicas[] = []
  for (const entry of value.split(';')) {
    if (entry.length === 0) continue
    const colon = entry.indexOf(':')
    const namespace = entry.slice(0, colon)
    if (colon < 1 || Buffer.byteLength(namespace) > MAX_NAMESPACE_BYTES) throw new ReplicasFormatError(`replicas entry "${entry.slice(0, 40)}" does not start with a namespace name and ':'`)
    const parts = entry.slice(colon + 1).split(',')
    const regime = Number(parts[0])
    const replicaCount = Number(parts[1])
    if (parts.length < 3 || !/^\d+$/.test(parts[0]!) || !/^\d+$/.test(parts[1]!)) throw new ReplicasFormatError(`replicas entry of namespace ${namespace} is not "<regime>,<count>,<bitmap>..."`)
    if (replicaCount < 1 || replicaCount > 255) throw new ReplicasFormatError(`replicas entry of namespace ${namespace} has replica count ${replicaCount} (expected 1..255)`)
    if (parts.length !== 2 + replicaCount) throw new ReplicasFormatError(`replicas entry of namespace ${namespace} declares ${replicaCount} bitmaps and has ${parts.length - 2}`)
    const bitmaps = parts.slice(2).map((text, i) => decodeBitmap(text, `namespace ${namespace} replica ${i}`))
    out.push({ namespace, regime, bitmaps })
  }
  return out
}

function decodeBitmap(text: string, what: string): Buffer {
  if (text.length !== BITMAP_BASE64_CHARS || !BASE64.test(text)) {
    throw new ReplicasFormatError(`bitmap of ${what} is ${text.length} characters of base64, expected ${BITMAP_BASE64_CHARS}`)
  }
  return Buffer.from(text, 'base64')
}

export function holdsPartition(bitmap: Uint8Array, pid: number): boolean {
  return (bitmap[pid >> 3]! & (0x80 >> (pid & 7))) !== 0
}

/** Encodes a bitmap of the given partitions, the way a node reports them. */
export function encodeBitmap(pids: Iterable<number>): string {
  const bitmap = Buffer.alloc(BITMAP_BYTES)
  for (const pid of pids) bitmap[pid >> 3]! |= 0x80 >> (pid & 7)
  return bitmap.toString('base64')
}
