// JS representations of Aerospike values shared by particles and msgpack.

/** A double that must stay a double on the wire even when its value is integral (1.0). */
export class Double {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

/** A GeoJSON value: its JSON text, kept as sent. */
export class GeoJson {
  readonly json: string
  constructor(json: string) {
    this.json = json
  }
}

/** A blob with an explicit particle subtype (4 = plain blob, 7..12 language blobs). */
export class TypedBlob {
  readonly subtype: number
  readonly bytes: Buffer
  constructor(subtype: number, bytes: Buffer) {
    this.subtype = subtype
    this.bytes = bytes
  }
}

/** Msgpack ext values: wildcard and infinity (type 0xff) and collection flags (type = flags). */
export class MsgpackExt {
  readonly type: number
  readonly data: Buffer
  constructor(type: number, data: Buffer) {
    this.type = type
    this.data = data
  }
}

export const WILDCARD = new MsgpackExt(0xff, Buffer.of(0))
export const INFINITY = new MsgpackExt(0xff, Buffer.of(1))

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Double
  | GeoJson
  | TypedBlob
  | MsgpackExt
  | Value[]
  | Map<Value, Value>

/** int64 bounds, for range checks on integer particles. */
export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

/** Integers come back as numbers when exact, as bigints otherwise. */
export function intFromBigInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}
