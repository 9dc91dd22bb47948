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

const ENV_PREFIX = 'AEROLITE_'

/** The environment variable that stands for a value flag: `--rack-id` is AEROLITE_RACK_ID. */
export function flagEnvName(flag: string): string {
  return ENV_PREFIX + flag.toUpperCase().replaceAll('-', '_')
}

/**
 * `args` with the value flags the command line leaves out taken from AEROLITE_* variables of `env`
 * (containers and Kubernetes configure a process this way). The command line wins; an empty
 * variable counts as unset; an AEROLITE_* variable that names no flag is an error, so a typo is
 * never silently ignored.
 */
export function withEnvironment(args: ParsedArgs, spec: FlagSpec, env: Readonly<Record<string, string | undefined>>): ParsedArgs {
  const byName = new Map(spec.values.map((flag) => [flagEnvName(flag), flag]))
  const flags = new Map(args.flags)
  const lists = new Map(args.lists)
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === '' || isServiceLink(name, value)) continue
    const flag = byName.get(name)
    if (flag === undefined) throw new UsageError(`environment variable ${name} names no option (known: ${[...byName.keys()].join(', ')})`)
    if (flags.has(flag)) continue
    flags.set(flag, value)
    lists.set(flag, [value])
  }
  return { ...args, flags, lists }
}

/**
 * Kubernetes gives every pod variables for each Service of its namespace (unless
 * enableServiceLinks is false): a Service named "aerolite" yields AEROLITE_SERVICE_HOST,
 * AEROLITE_PORT=tcp://10.0.0.1:3000, AEROLITE_PORT_3000_TCP_ADDR and more. They are not options.
 */
function isServiceLink(name: string, value: string): boolean {
  return /_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$/.test(name) || /_PORT_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?$/.test(name) || /^(tcp|udp|sctp):\/\//.test(value)
}

export function parsePort(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${flag} "${text}" is not a port (0..65535)`)
  return Number(text)
}

/** The value of --flag as a whole number from min to max; anything else is a usage error naming it. */
export function parseWholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${flag} "${text}" is not a whole number from ${min} to ${max}`)
  return Number(text)
}
