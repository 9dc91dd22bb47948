// What every single-record command names: namespace, set, digest and (optionally) the user key.
import { DIGEST_BYTES, FieldType, Info1, ResultCode, partitionId, type Message } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { StoredKey } from '../record/layout.ts'
import { CommandError } from '../command-error.ts'
import type { CommandContext } from './context.ts'
import { decodeShippedVersion, type ShippedVersion } from '../xdr/shipped-version.ts'
import { namespaceNames, setNames } from '../name-cache.ts'

export interface RecordRequest {
  message: Message
  namespace: Namespace
  setName: string
  digest: Buffer
  /** The digest's partition, computed once here. */
  partitionId: number
  key: StoredKey | undefined
  /** Who asks: a client, or a background job running the command on each record it walks. */
  origin: RequestOrigin
  /** The version an XDR write or delete from another Aerolite cluster carries, when the namespace resolves conflicts (conflict-resolve-writes). */
  shippedVersion: ShippedVersion | undefined
  /** This cluster's XDR src-id: the maker of its own writes' bin versions (conflict-resolve-writes). */
  srcId: number
}

export type RequestOrigin = 'client' | 'job'

/** Why a write or delete changes its record: a job's, another cluster's shipping (XDR), or a client's. */
export function writeCause(req: RecordRequest): 'job' | 'xdr' | 'client' {
  if (req.origin === 'job') return 'job'
  return (req.message.info1 & Info1.XDR) !== 0 ? 'xdr' : 'client'
}

/** Reads the record-addressing fields; a number is the result code for a malformed request. */
export function parseRecordRequest(message: Message, context: CommandContext, origin: RequestOrigin = 'client'): RecordRequest | number {
  let nsName: Buffer | undefined
  let setName: Buffer | undefined
  let digest: Buffer | undefined
  let key: StoredKey | undefined
  let lut: Buffer | undefined
  for (const field of message.fields) {
    switch (field.type) {
      case FieldType.NAMESPACE: nsName = field.data; break
      case FieldType.SET: setName = field.data; break
      case FieldType.DIGEST: digest = field.data; break
      case FieldType.KEY:
        if (field.data.length < 1) return ResultCode.PARAMETER_ERROR
        key = { particleType: field.data[0]!, bytes: field.data.subarray(1) }
        break
      case FieldType.LUT: lut = field.data; break
    }
  }
  // Aerospike answers a missing namespace like an unknown one.
  if (nsName === undefined || nsName.length === 0) return ResultCode.NAMESPACE_NOT_FOUND
  const namespace = context.namespace(namespaceNames.decode(nsName))
  if (namespace === undefined) return ResultCode.NAMESPACE_NOT_FOUND
  if (digest === undefined || digest.length !== DIGEST_BYTES) return ResultCode.PARAMETER_ERROR
  if (setName !== undefined && setName.length > limits.maxSetNameBytes) return ResultCode.PARAMETER_ERROR
  if (key !== undefined && key.bytes.length > 0xffff) return ResultCode.PARAMETER_ERROR
  let shippedVersion: ShippedVersion | undefined
  if (lut !== undefined && (message.info1 & Info1.XDR) !== 0 && namespace.config.conflictResolveWrites) {
    shippedVersion = decodeShippedVersion(lut)
    if (shippedVersion === undefined) return ResultCode.PARAMETER_ERROR
    if (shippedVersion.bins !== undefined && shippedVersion.bins.stamps.length !== message.ops.length) return ResultCode.PARAMETER_ERROR
  }
  return { message, namespace, setName: setName === undefined ? '' : setNames.decode(setName), digest, partitionId: partitionId(digest), key, origin, shippedVersion, srcId: context.xdrSrcId }
}

export function sameKey(a: StoredKey, b: StoredKey): boolean {
  return a.particleType === b.particleType && a.bytes.equals(b.bytes)
}

/**
 * A request naming a set must name the record's set (a digest alone cannot tell them apart).
 * Reads and deletes may omit the set; a write must name the record's set exactly.
 */
export function checkSetName(req: RecordRequest, id: number, isWrite: boolean): void {
  if (req.setName.length === 0 && !isWrite) return
  const recordSet = req.namespace.setOf(id)?.name ?? ''
  if (recordSet !== req.setName) throw new CommandError(ResultCode.PARAMETER_ERROR, `set "${req.setName}" does not match the record's set "${recordSet}"`)
}
