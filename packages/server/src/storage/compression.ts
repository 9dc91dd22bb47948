// Per-record compression codecs. Both are WebAssembly builds, so they install on Node 20+ on any
// platform with no compiler and no native binary: lz4 from lz4-wasm-nodejs (lz4_flex), zstd from
// Node's own zlib where it has it (22.15+) and @bokuweb/zstd-wasm (the reference C library) before.
// The packages are loaded at run time, only by namespaces that may meet compressed records.
import { createRequire } from 'node:module'
import * as zlib from 'node:zlib'
import type { CompressionName } from '../config/index.ts'
import { COMPRESSED_FLAGS, RECORD_HEADER_BYTES, RecordFlag, recordTotalBytes } from '../record/layout.ts'

export interface Codec {
  name: Exclude<CompressionName, 'none'>
  /** The record flag marking a body compressed with this codec. */
  flag: number
  compress(body: Buffer, level: number): Buffer
  decompress(body: Buffer): Buffer
}

interface Lz4Module {
  compress(input: Uint8Array): Uint8Array
  decompress(input: Uint8Array): Uint8Array
}

interface ZstdWasmModule {
  init(): Promise<void>
  compress(input: Uint8Array, level: number): Uint8Array
  decompress(input: Uint8Array): Uint8Array
}

/** Node 22.15+ has zstd in zlib; older Nodes do not. */
interface ZlibWithZstd {
  zstdCompressSync(input: Buffer, options: { params: Record<number, number> }): Buffer
  zstdDecompressSync(input: Buffer): Buffer
  constants: { ZSTD_c_compressionLevel: number }
}

const requireAtRunTime = createRequire(import.meta.url)
const loaded = new Map<string, Codec>()

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

async function loadLz4(): Promise<Codec> {
  const lz4 = requireAtRunTime('lz4-wasm-nodejs') as Lz4Module
  return {
    name: 'lz4',
    flag: RecordFlag.LZ4,
    compress: (body) => asBuffer(lz4.compress(body)),
    decompress: (body) => asBuffer(lz4.decompress(body)),
  }
}

async function loadZstd(): Promise<Codec> {
  const native = zlib as unknown as Partial<ZlibWithZstd>
  if (typeof native.zstdCompressSync === 'function' && typeof native.zstdDecompressSync === 'function' && native.constants !== undefined) {
    const { zstdCompressSync, zstdDecompressSync, constants } = native as ZlibWithZstd
    return {
      name: 'zstd',
      flag: RecordFlag.ZSTD,
      compress: (body, level) => zstdCompressSync(body, { params: { [constants.ZSTD_c_compressionLevel]: level } }),
      decompress: (body) => zstdDecompressSync(body),
    }
  }
  const zstd = requireAtRunTime('@bokuweb/zstd-wasm') as ZstdWasmModule
  await zstd.init()
  return {
    name: 'zstd',
    flag: RecordFlag.ZSTD,
    compress: (body, level) => asBuffer(zstd.compress(body, level)),
    decompress: (body) => asBuffer(zstd.decompress(body)),
  }
}

/** Loads every codec (a persistent namespace may hold records of any of them). Idempotent. */
export async function loadCodecs(): Promise<void> {
  if (!loaded.has('lz4')) loaded.set('lz4', await loadLz4())
  if (!loaded.has('zstd')) loaded.set('zstd', await loadZstd())
}

/** The codec of a compression setting; loadCodecs() must have run. */
export function codecNamed(name: CompressionName): Codec | undefined {
  if (name === 'none') return undefined
  const codec = loaded.get(name)
  if (codec === undefined) throw new Error(`compression ${name} used before loadCodecs()`)
  return codec
}

/** The codec of a record's flags, or undefined when the record is not compressed. */
export function codecOfFlags(flags: number): Codec | undefined {
  if ((flags & RecordFlag.LZ4) !== 0) return codecNamed('lz4')
  if ((flags & RecordFlag.ZSTD) !== 0) return codecNamed('zstd')
  return undefined
}

/**
 * A compressed record (flags say which codec) in the uncompressed layout: the header as stored,
 * then the decompressed key and bins. Throws when the body does not decompress to the length it
 * declares.
 */
export function decompressRecord(buf: Buffer, at: number, flags: number): { buf: Buffer; at: number } {
  const codec = codecOfFlags(flags)!
  const bodyBytes = buf.readUInt32LE(at + RECORD_HEADER_BYTES)
  const body = codec.decompress(buf.subarray(at + RECORD_HEADER_BYTES + 4, at + recordTotalBytes(buf, at)))
  if (body.length !== bodyBytes) throw new Error(`a compressed record decompressed to ${body.length} bytes, not ${bodyBytes}`)
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyBytes)
  buf.copy(out, 0, at, at + RECORD_HEADER_BYTES)
  out.writeUInt32LE((((flags & ~COMPRESSED_FLAGS) << 24) | out.length) >>> 0, 0)
  body.copy(out, RECORD_HEADER_BYTES)
  return { buf: out, at: 0 }
}

/** Aerospike's default levels: lz4 has none that matter here, zstd 9. */
export function defaultCompressionLevel(name: CompressionName): number {
  return name === 'zstd' ? 9 : 0
}
