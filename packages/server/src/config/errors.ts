// The single error type of the config module, so callers can tell a bad config from a bug.

export interface ConfigErrorPlace {
  file: string
  /** 1-based; absent when the problem is not on one line (unreadable file, no namespace at all). */
  line?: number
  /** The config key or block name at fault. */
  key?: string
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG'
  readonly file: string
  readonly line: number | undefined
  readonly key: string | undefined
  /** The problem without its place, for answers that have no file (set-config). */
  readonly detail: string

  /** `detail` should name the key, the bad value and what is allowed; the place is prefixed here. */
  constructor(place: ConfigErrorPlace, detail: string) {
    const where = place.line === undefined ? place.file : `${place.file}:${place.line}`
    super(`${where}: ${detail}`)
    this.name = 'ConfigError'
    this.file = place.file
    this.line = place.line
    this.key = place.key
    this.detail = detail
  }
}

/** Quotes a value for a one-line message; JSON escaping keeps control characters from breaking the line. */
export function quote(value: string): string {
  return JSON.stringify(value)
}
