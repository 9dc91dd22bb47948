// Walks one block of the syntax tree against a table of the keys it allows, and reads values
// with errors that name file, line, block and key. The tables themselves live in parse.ts.
import type { Disk } from '@aerolite/protocol'

import { ConfigError, quote } from './errors.ts'
import { blockTitle, type ConfigBlock, type ConfigEntry } from './syntax.ts'
import {
  BOOLEAN_SYNTAX,
  DURATION_SYNTAX,
  formatDuration,
  formatSize,
  parseBoolean,
  parseDurationSeconds,
  parseSizeBytes,
  parseWholeNumber,
  SIZE_SYNTAX,
} from './values.ts'

/** What a block may contain, and how each key is applied to the target `T`. */
export interface Scope<T> {
  entries?: Readonly<Record<string, (entry: EntryReader, target: T) => void>>
  blocks?: Readonly<Record<string, (block: BlockReader, target: T) => void>>
  /** Keys Aerospike knows that have no effect in Aerolite: accepted, values unchecked. */
  ignored?: readonly string[]
  /** Keys that may appear more than once; any other repeat is an error. */
  repeatable?: readonly string[]
}

/** Reads the values of one `key value...` line. */
export class EntryReader {
  readonly file: string
  /** The enclosing block, e.g. "namespace test". */
  readonly label: string
  readonly entry: ConfigEntry

  constructor(file: string, label: string, entry: ConfigEntry) {
    this.file = file
    this.label = label
    this.entry = entry
  }

  fail(detail: string): never {
    const { line, key } = this.entry
    throw new ConfigError({ file: this.file, line, key }, this.label === '' ? detail : `${this.label}: ${detail}`)
  }

  failValue(value: string, problem: string): never {
    this.fail(`${this.entry.key} ${quote(value)} ${problem}`)
  }

  /** Exactly `count` values; `usage` shows the expected form in the error. */
  values(count: number, usage: string): string[] {
    const { key, values } = this.entry
    if (values.length !== count) {
      this.fail(`${key} takes ${count} values (${usage}), got ${values.length}: ${quote(values.join(' '))}`)
    }
    return values
  }

  one(): string {
    const { key, values } = this.entry
    const [value] = values
    if (value === undefined) this.fail(`${key} needs a value`)
    if (values.length > 1) this.fail(`${key} takes one value, got ${values.length}: ${quote(values.join(' '))}`)
    return value
  }

  integer(min: number, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.one()
    const value = parseWholeNumber(text)
    if (value === undefined) this.failValue(text, 'is not a whole number')
    return this.inRange(text, value, min, max, String)
  }

  sizeBytes(min: number, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.one()
    const value = parseSizeBytes(text)
    if (value === undefined) this.failValue(text, `is not a size (${SIZE_SYNTAX})`)
    return this.inRange(text, value, min, max, formatSize)
  }

  durationSeconds(max = Number.MAX_SAFE_INTEGER): number {
    const text = this.one()
    const value = parseDurationSeconds(text)
    if (value === undefined) this.failValue(text, `is not a duration (${DURATION_SYNTAX})`)
    return this.inRange(text, value, 0, max, formatDuration)
  }

  boolean(): boolean {
    const text = this.one()
    const value = parseBoolean(text)
    if (value === undefined) this.failValue(text, `is not a boolean (${BOOLEAN_SYNTAX})`)
    return value
  }

  private inRange(text: string, value: number, min: number, max: number, format: (n: number) => string): number {
    if (value >= min && value <= max) return value
    const allowed = max === Number.MAX_SAFE_INTEGER ? `${format(min)} or more` : `${format(min)} to ${format(max)}`
    this.failValue(text, `is out of range (allowed: ${allowed})`)
  }
}

/** Reads a `name [args] { ... }` block and walks its children. */
export class BlockReader {
  readonly file: string
  /** The enclosing block's label; '' at the top level. */
  readonly parentLabel: string
  readonly block: ConfigBlock
  /** Where settings that depend on the machine (a raw device's capacity) are looked up. */
  readonly disk: Disk

  constructor(file: string, parentLabel: string, block: ConfigBlock, disk: Disk) {
    this.file = file
    this.parentLabel = parentLabel
    this.block = block
    this.disk = disk
  }

  /** How messages name this block, e.g. "namespace test storage-engine memory". */
  get label(): string {
    return [this.parentLabel, blockTitle(this.block)].filter((part) => part !== '').join(' ')
  }

  /** An error about the block's own line (its name or arguments). */
  fail(detail: string): never {
    const { line, name } = this.block
    const text = this.parentLabel === '' ? detail : `${this.parentLabel}: ${detail}`
    throw new ConfigError({ file: this.file, line, key: name }, text)
  }

  /** An error about a key inside the block, found only after reading all of it (cross-key rules). */
  failAt(line: number, key: string, detail: string): never {
    throw new ConfigError({ file: this.file, line, key }, `${this.label}: ${detail}`)
  }

  noArgs(): void {
    const { name, args } = this.block
    if (args.length > 0) this.fail(`${name} takes no argument, got ${quote(args.join(' '))}: write "${name} {"`)
  }

  /** The single word between name and `{`; `what` names it in the error, e.g. "NAME". */
  oneArg(what: string): string {
    const { name, args } = this.block
    const [arg] = args
    if (arg === undefined || args.length > 1) {
      const got = arg === undefined ? 'none' : quote(args.join(' '))
      this.fail(`${name} takes one argument, got ${got}: write "${name} ${what} {"`)
    }
    return arg
  }

  /** Applies every child to `target`; returns the line each key first appeared on. */
  apply<T>(scope: Scope<T>, target: T): ReadonlyMap<string, number> {
    const entries = scope.entries ?? {}
    const blocks = scope.blocks ?? {}
    const ignored = scope.ignored ?? []
    const firstLines = new Map<string, number>()
    const label = this.label

    for (const child of this.block.children) {
      const key = child.kind === 'entry' ? child.key : child.name
      const place = { file: this.file, line: child.line, key }
      function fail(detail: string): never {
        throw new ConfigError(place, label === '' ? detail : `${label}: ${detail}`)
      }
      const known = Object.hasOwn(entries, key) || Object.hasOwn(blocks, key) || ignored.includes(key)
      if (!known) {
        const allowed = [...new Set([...Object.keys(entries), ...ignored, ...Object.keys(blocks)])].join(', ')
        const what = label === '' ? `unknown context ${quote(key)}` : `unknown key ${quote(key)} in ${label}`
        throw new ConfigError(place, `${what} (allowed: ${allowed})`)
      }

      const first = firstLines.get(key)
      if (first !== undefined && !ignored.includes(key) && !(scope.repeatable ?? []).includes(key)) {
        fail(`${key} appears more than once (first on line ${first})`)
      }
      if (first === undefined) firstLines.set(key, child.line)

      if (child.kind === 'entry') {
        const read = entries[key]
        if (read === undefined && !ignored.includes(key)) fail(`${key} opens a block: write "${key} {" ... "}"`)
        if (child.values.length === 0) fail(`${key} needs a value`)
        read?.(new EntryReader(this.file, label, child), target)
      } else {
        const read = blocks[key]
        if (read === undefined) fail(`${key} takes a value, not a block`)
        read(new BlockReader(this.file, label, child, this.disk), target)
      }
    }
    return firstLines
  }
}
