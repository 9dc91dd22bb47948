// HLL elements are hashed as msgpack bytes after Aerospike's "compaction": an integer, string or
// ext header written wider than needed is rewritten in its shortest form, so 1 and 0xcc01 count as
// one element (a positive integer in a signed header always becomes unsigned). Aerospike judges
// "wider than needed" per header, and its quirk is kept: a bin8 header of 32 bytes or more stays,
// a shorter bin header becomes a str header.
import { MsgpackWriter } from '@aerolite/protocol'

/** The canonical bytes of one msgpack element (lists and maps are refused before this). */
export function compactElement(element: Buffer): Buffer {
  const b = element[0]!
  switch (b) {
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
      const width = 2 ** (b - 0xcc)
      return rewriteInt(BigInt('0x' + element.toString('hex', 1, 1 + width)))
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const width = 2 ** (b - 0xd0)
      return rewriteInt(BigInt.asIntN(width * 8, BigInt('0x' + element.toString('hex', 1, 1 + width))))
    }
    case 0xc4: case 0xd9: return rewriteBytes(element, 2, element[1]!, 0x1f)
    case 0xc5: case 0xda: return rewriteBytes(element, 3, element.readUInt16BE(1), 0xff)
    case 0xc6: case 0xdb: return rewriteBytes(element, 5, element.readUInt32BE(1), 0xffff)
    case 0xc7: {
      const length = element[1]!
      // Only an ext8 whose size has a fixext form is rewritten.
      return [1, 2, 4, 8, 16].includes(length) ? rewriteExt(element, 2, length) : element
    }
    case 0xc8: return element.readUInt16BE(1) <= 0xff ? rewriteExt(element, 3, element.readUInt16BE(1)) : element
    case 0xc9: return element.readUInt32BE(1) <= 0xffff ? rewriteExt(element, 5, element.readUInt32BE(1)) : element
  }
  return element
}

function rewriteInt(value: bigint): Buffer {
  const writer = new MsgpackWriter(9)
  writer.int(value)
  return writer.toBuffer()
}

function rewriteBytes(element: Buffer, headerBytes: number, length: number, compactLimit: number): Buffer {
  if (length > compactLimit) return element
  const writer = new MsgpackWriter(length + 5)
  writer.strHeader(length)
  writer.raw(element.subarray(headerBytes, headerBytes + length))
  return writer.toBuffer()
}

function rewriteExt(element: Buffer, headerBytes: number, length: number): Buffer {
  const writer = new MsgpackWriter(length + 6)
  writer.ext(element[headerBytes]!, element.subarray(headerBytes + 1, headerBytes + 1 + length))
  return writer.toBuffer()
}
