// Aerospike expresses void times and last-update times against the "Citrusleaf epoch".

export const CITRUSLEAF_EPOCH_SECONDS = 1262304000 // 2010-01-01T00:00:00Z

/** Seconds since 2010-01-01 for a Unix time in milliseconds. */
export function citrusleafSeconds(unixMs: number): number {
  return Math.floor(unixMs / 1000) - CITRUSLEAF_EPOCH_SECONDS
}

/** Wire TTL values in write requests. */
export const TtlWire = {
  NAMESPACE_DEFAULT: 0,
  NEVER_EXPIRE: 0xffffffff,
  DONT_UPDATE: 0xfffffffe,
  CLIENT_DEFAULT: 0xfffffffd,
} as const
