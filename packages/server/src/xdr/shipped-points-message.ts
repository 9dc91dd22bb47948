// The fabric message in which a node tells the other members how far the partitions it masters
// have shipped (shipped-points.ts): for each DC and namespace, u8 length + DC name, u8 length +
// namespace name, u16 count, then count × (u16 partition id, f64 point in ms).
import { limits } from '../limits.ts'

export interface ShippedPointsEntry {
  dc: string
  namespace: string
  points: Array<[number, number]>
}

export function encodeShippedPoints(entries: readonly ShippedPointsEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const dc = Buffer.from(entry.dc, 'utf8')
    const ns = Buffer.from(entry.namespace, 'utf8')
    const head = Buffer.alloc(1 + dc.length + 1 + ns.length + 2)
    let at = head.writeUInt8(dc.length, 0)
    at += dc.copy(head, at)
    at = head.writeUInt8(ns.length, at)
    at += ns.copy(head, at)
    head.writeUInt16BE(entry.points.length, at)
    const body = Buffer.alloc(entry.points.length * 10)
    entry.points.forEach(([pid, ms], i) => {
      body.writeUInt16BE(pid, i * 10)
      body.writeDoubleBE(ms, i * 10 + 2)
    })
    parts.push(head, body)
  }
  return Buffer.concat(parts)
}

/** Throws RangeError naming the problem when the payload is not such a message. */
export function decodeShippedPoints(payload: Buffer): ShippedPointsEntry[] {
  const entries: ShippedPointsEntry[] = []
  let at = 0
  const need = (bytes: number): void => {
    if (at + bytes > payload.length) throw new RangeError(`xdr shipped points: ${payload.length}-byte message ends inside an entry`)
  }
  const name = (): string => {
    need(1)
    const length = payload.readUInt8(at)
    need(1 + length)
    const text = payload.toString('utf8', at + 1, at + 1 + length)
    at += 1 + length
    return text
  }
  while (at < payload.length) {
    const dc = name()
    const namespace = name()
    need(2)
    const count = payload.readUInt16BE(at)
    at += 2
    need(count * 10)
    const points: Array<[number, number]> = []
    for (let i = 0; i < count; i++, at += 10) {
      const pid = payload.readUInt16BE(at)
      if (pid >= limits.partitions) throw new RangeError(`xdr shipped points: partition ${pid} is not below ${limits.partitions}`)
      points.push([pid, payload.readDoubleBE(at + 2)])
    }
    entries.push({ dc, namespace, points })
  }
  return entries
}
