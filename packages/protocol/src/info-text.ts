// The info protocol (type 1): request lines separated by '\n', each answered as
// "<line>\t<value>\n". Values are often "key=value;key=value" lists.

/** Splits an info request body into its command lines (empty lines dropped). */
export function parseInfoRequest(body: Buffer | string): string[] {
  const text = typeof body === 'string' ? body : body.toString('utf8')
  return text.split('\n').filter((line) => line.length > 0)
}

export interface InfoAnswer {
  line: string
  value: string
}

/** Formats the answers to an info request, echoing each command line as the real server does. */
export function formatInfoResponse(answers: readonly InfoAnswer[]): Buffer {
  let text = ''
  for (const { line, value } of answers) text += `${line}\t${value}\n`
  return Buffer.from(text, 'utf8')
}

/** Parses an info response into command line -> value, as the clients do (split on tab and newline). */
export function parseInfoResponse(body: Buffer | string): Map<string, string> {
  const text = typeof body === 'string' ? body : body.toString('utf8')
  const out = new Map<string, string>()
  for (const row of text.split('\n')) {
    if (row.length === 0) continue
    const tab = row.indexOf('\t')
    if (tab < 0) out.set(row, '')
    else out.set(row.slice(0, tab), row.slice(tab + 1))
  }
  return out
}

export interface InfoCommand {
  /** The name before ':' or '/', e.g. "namespace" for "namespace/test". */
  name: string
  /** Path arguments after '/', e.g. ["test"] for "namespace/test". */
  path: string[]
  /** Parameters after ':', e.g. {namespace: "test"} for "truncate-namespace:namespace=test". */
  params: Map<string, string>
}

/** Splits one command line into its name, '/'-path arguments and ':'-parameters (k=v;k=v). */
export function parseInfoCommand(line: string): InfoCommand {
  const colon = line.indexOf(':')
  const head = colon < 0 ? line : line.slice(0, colon)
  const [name = '', ...path] = head.split('/')
  const params = new Map<string, string>()
  if (colon >= 0) {
    for (const pair of line.slice(colon + 1).split(';')) {
      if (pair.length === 0) continue
      const eq = pair.indexOf('=')
      if (eq < 0) params.set(pair, '')
      else params.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
  }
  return { name, path, params }
}

/** Formats "k=v;k=v" from an object or entries, the shape of statistics-style values. */
export function formatKeyValues(entries: Iterable<readonly [string, string | number | boolean]> | Record<string, string | number | boolean>, separator = ';'): string {
  const list = Symbol.iterator in Object(entries) ? [...(entries as Iterable<readonly [string, string | number | boolean]>)] : Object.entries(entries)
  return list.map(([k, v]) => `${k}=${v}`).join(separator)
}

/** Parses "k=v;k=v" (or another separator) into a map. */
export function parseKeyValues(text: string, separator = ';'): Map<string, string> {
  const out = new Map<string, string>()
  for (const pair of text.split(separator)) {
    if (pair.length === 0) continue
    const eq = pair.indexOf('=')
    if (eq < 0) out.set(pair, '')
    else out.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  return out
}

/** The error value format the clients recognise: ERROR:<code>:<message>. */
export function infoError(code: number, message: string): string {
  return `ERROR:${code}:${message}`
}
