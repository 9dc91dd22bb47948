// Turning a write's wire TTL into a void time, with Aerospike's rules for defaults and limits.
import { ResultCode, TtlWire } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import type { NamespaceConfig } from '../config/index.ts'
import { limits } from '../limits.ts'

/**
 * Void time (seconds since 2010, 0 = never) for a write.
 * existingVoidTime is the current record's, or undefined for a new record.
 */
export function resolveVoidTime(wireTtl: number, config: NamespaceConfig, existingVoidTime: number | undefined, nowVoidTime: number): number {
  let ttlSeconds: number
  switch (wireTtl) {
    case TtlWire.NEVER_EXPIRE: return 0
    case TtlWire.DONT_UPDATE:
      if (existingVoidTime !== undefined) return existingVoidTime
      ttlSeconds = config.defaultTtlSeconds
      break
    case TtlWire.NAMESPACE_DEFAULT:
    case TtlWire.CLIENT_DEFAULT:
      ttlSeconds = config.defaultTtlSeconds
      break
    default:
      ttlSeconds = wireTtl
  }
  if (ttlSeconds === 0) return 0
  if (ttlSeconds > limits.maxTtlSeconds || (config.maxTtlSeconds !== 0 && ttlSeconds > config.maxTtlSeconds)) {
    throw new CommandError(ResultCode.PARAMETER_ERROR, `ttl ${ttlSeconds} exceeds max-ttl ${config.maxTtlSeconds}`)
  }
  if (config.nsupPeriodSeconds === 0 && !config.allowTtlWithoutNsup) {
    throw new CommandError(ResultCode.FAIL_FORBIDDEN, 'records with a ttl need nsup-period > 0 or allow-ttl-without-nsup true')
  }
  return nowVoidTime + ttlSeconds
}

/** The next generation: 16 bits, wrapping past 0xffff to 1 (0 means "no record"). */
export function nextGeneration(generation: number): number {
  return generation >= 0xffff ? 1 : generation + 1
}
