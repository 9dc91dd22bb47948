// Parsers for Aerospike's scalar value syntax. They return undefined on bad input;
// the caller knows the file, line and key and builds the error message.

export const KiB = 1024
export const MiB = 1024 * KiB
export const GiB = 1024 * MiB
export const TiB = 1024 * GiB

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: KiB, m: MiB, g: GiB, t: TiB }
const DURATION_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }

export const SIZE_SYNTAX = 'bytes, or a number with K, M, G or T'
export const DURATION_SYNTAX = 'seconds, or a number with s, m, h or d'
export const BOOLEAN_SYNTAX = 'true, false, yes or no'

/** A non-negative integer in plain decimal digits. */
export function parseWholeNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : undefined
}

/** `1048576`, `512K`, `4g`: suffixes are powers of 1024, case-insensitive. */
export function parseSizeBytes(text: string): number | undefined {
  return parseWithUnit(text, /^(\d+)([kmgt]?)$/i, SIZE_UNITS)
}

/** `3600`, `90s`, `30m`, `12h`, `30d`. */
export function parseDurationSeconds(text: string): number | undefined {
  return parseWithUnit(text, /^(\d+)([smhd]?)$/i, DURATION_UNITS)
}

export function parseBoolean(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case 'true':
    case 'yes':
      return true
    case 'false':
    case 'no':
      return false
    default:
      return undefined
  }
}

/** Writes bytes with the largest suffix that divides them exactly: 8388608 -> "8M". */
export function formatSize(bytes: number): string {
  return formatWithUnit(bytes, SIZE_UNITS).toUpperCase()
}

/** Writes seconds with the largest suffix that divides them exactly: 2592000 -> "30d". */
export function formatDuration(seconds: number): string {
  return formatWithUnit(seconds, DURATION_UNITS)
}

function parseWithUnit(text: string, pattern: RegExp, units: Readonly<Record<string, number>>): number | undefined {
  const match = pattern.exec(text)
  if (match === null) return undefined
  const [, digits = '', suffix = ''] = match
  const value = Number(digits) * (units[suffix.toLowerCase()] ?? 1)
  return Number.isSafeInteger(value) ? value : undefined
}

function formatWithUnit(value: number, units: Readonly<Record<string, number>>): string {
  let best = ''
  for (const [suffix, factor] of Object.entries(units)) {
    if (value !== 0 && value % factor === 0 && factor > (units[best] ?? 1)) best = suffix
  }
  return `${value / (units[best] ?? 1)}${best}`
}
