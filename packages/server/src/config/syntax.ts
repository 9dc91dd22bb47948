// Turns aerospike.conf text into a tree of blocks and `key value...` entries.
// Only the shape is checked here (braces, names); what the keys mean is parse.ts's job.

import { ConfigError } from './errors.ts'

export interface ConfigEntry {
  kind: 'entry'
  key: string
  values: string[]
  line: number
}

export interface ConfigBlock {
  kind: 'block'
  /** '' for the root of the file. */
  name: string
  /** Words between the name and `{`, e.g. the namespace name. */
  args: string[]
  line: number
  children: ConfigNode[]
}

export type ConfigNode = ConfigEntry | ConfigBlock

// Braces are tokens of their own even when glued to a word (`service{`); Aerospike has no quoting.
const TOKEN = /[{}]|[^\s{}]+/g

export function blockTitle(block: ConfigBlock): string {
  return [block.name, ...block.args].join(' ')
}

export function parseSyntax(text: string, file: string): ConfigBlock {
  const root: ConfigBlock = { kind: 'block', name: '', args: [], line: 0, children: [] }
  const open: ConfigBlock[] = [root]
  const lines = text.split(/\r?\n/)

  for (const [index, raw] of lines.entries()) {
    const line = index + 1
    const hash = raw.indexOf('#')
    const code = hash === -1 ? raw : raw.slice(0, hash)
    // Words collect until `{`, `}` or the end of the line ends the statement.
    let words: string[] = []
    const endStatement = (): void => {
      const [key, ...values] = words
      if (key !== undefined) innermost(open).children.push({ kind: 'entry', key, values, line })
      words = []
    }

    for (const [token] of code.matchAll(TOKEN)) {
      if (token === '{') {
        const [name, ...args] = words
        if (name === undefined) {
          throw new ConfigError({ file, line, key: '{' }, '"{" must follow a block name, e.g. "namespace test {"')
        }
        const block: ConfigBlock = { kind: 'block', name, args, line, children: [] }
        innermost(open).children.push(block)
        open.push(block)
        words = []
      } else if (token === '}') {
        endStatement()
        if (open.length === 1) throw new ConfigError({ file, line, key: '}' }, '"}" without an open block')
        open.pop()
      } else {
        words.push(token)
      }
    }
    endStatement()
  }

  if (open.length > 1) {
    const unclosed = innermost(open)
    const lastLine = Math.max(1, text.endsWith('\n') ? lines.length - 1 : lines.length)
    throw new ConfigError(
      { file, line: lastLine, key: unclosed.name },
      `missing "}" to close "${blockTitle(unclosed)}" opened on line ${unclosed.line}`,
    )
  }
  return root
}

function innermost(open: readonly ConfigBlock[]): ConfigBlock {
  const block = open[open.length - 1]
  if (block === undefined) throw new Error('unreachable: the root block is never closed')
  return block
}
