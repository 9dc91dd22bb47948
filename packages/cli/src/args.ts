// A small, strict flag parser: unknown flags and missing values are errors that name the flag.

export class UsageError extends Error {
  readonly code = 'ERR_USAGE'
}

export interface FlagSpec {
  /** Flags that take a value, e.g. ['port', 'host']. */
  values: readonly string[]
  /** Flags that are switches, e.g. ['help']. */
  switches: readonly string[]
}

export interface ParsedArgs {
  /** The last value of each value flag. */
  flags: Map<string, string>
  /** Every value of each value flag, in order (for flags that may be repeated). */
  lists: Map<string, string[]>
  switches: Set<string>
  positional: string[]
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string>()
  const lists = new Map<string, string[]>()
  const switches = new Set<string>()
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--') || arg === '--') {
      if (arg === '--') positional.push(...argv.slice(i + 1))
      else positional.push(arg)
      if (arg === '--') break
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    if (spec.switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`)
      switches.add(name)
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`)
      flags.set(name, value)
      lists.set(name, [...(lists.get(name) ?? []), value])
    } else {
      const known = [...spec.values, ...spec.switches].map((f) => `--${f}`).join(', ')
      throw new UsageError(`unknown option --${name} (known: ${known})`)
    }
  }
  return { flags, lists, switches, positional }
}

export function parsePort(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${flag} "${text}" is not a port (0..65535)`)
  return Number(text)
}
