// POSIX regular expressions (regcomp: basic or extended syntax, glibc extensions) translated to
// JavaScript. Patterns and subjects are handled as bytes (latin1), as the server's C locale does.

export const RegexFlag = { EXTENDED: 1, ICASE: 2, NEWLINE: 4, NOSUB: 8 } as const

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
}

/** A JS RegExp matching like regexec; undefined when regcomp would refuse the pattern. */
export function compilePosixRegex(pattern: Buffer, flags: number): RegExp | undefined {
  // regcomp reads a C string: the pattern ends at the first NUL.
  const end = pattern.indexOf(0)
  const text = (end < 0 ? pattern : pattern.subarray(0, end)).toString('latin1')
  const newline = (flags & RegexFlag.NEWLINE) !== 0
  let source: string
  try {
    source = (flags & RegexFlag.EXTENDED) !== 0 ? translateExtended(text, newline) : translateBasic(text, newline)
  } catch {
    return undefined
  }
  const jsFlags = ((flags & RegexFlag.ICASE) !== 0 ? 'i' : '') + (newline ? 'm' : 's')
  try {
    return new RegExp(source, jsFlags)
  } catch {
    return undefined
  }
}

function escapeLiteral(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch
}

/** A bracket expression starting at `at` (just after '['); returns the JS class and the index after ']'. */
function bracket(text: string, at: number, newline: boolean): [string, number] {
  let i = at
  let negate = false
  if (text[i] === '^') {
    negate = true
    i++
  }
  let body = ''
  let first = true
  while (true) {
    const ch = text[i]
    if (ch === undefined) throw new Error('unterminated bracket')
    if (ch === ']' && !first) break
    first = false
    if (ch === '[' && (text[i + 1] === ':' || text[i + 1] === '=' || text[i + 1] === '.')) {
      const kind = text[i + 1]!
      const close = text.indexOf(`${kind}]`, i + 2)
      if (close < 0) throw new Error('unterminated class')
      const name = text.slice(i + 2, close)
      if (kind === ':') {
        const cls = CLASSES[name]
        if (cls === undefined) throw new Error(`unknown class ${name}`)
        body += cls
      } else {
        body += name.split('').map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
      }
      i = close + 2
      continue
    }
    // Inside brackets every character is literal, a backslash included.
    body += ch === '-' ? '-' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
    i++
  }
  if (negate && newline) body += '\\n'
  return [`[${negate ? '^' : ''}${body}]`, i + 1]
}

/** GNU escapes both syntaxes share; undefined for an escaped literal. */
function gnuEscape(ch: string): string | undefined {
  switch (ch) {
    case 'w': return '[0-9A-Za-z_]'
    case 'W': return '[^0-9A-Za-z_]'
    case 's': return '\\s'
    case 'S': return '\\S'
    case 'b': return '\\b'
    case 'B': return '\\B'
    case '<': return '\\b(?=[0-9A-Za-z_])'
    case '>': return '\\b(?<=[0-9A-Za-z_])'
    case '`': return '(?<![\\s\\S])'
    case "'": return '(?![\\s\\S])'
  }
  if (ch >= '1' && ch <= '9') return `\\${ch}`
  return undefined
}

function translateExtended(text: string, newline: boolean): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (ch === '[') {
      const [cls, next] = bracket(text, i + 1, newline)
      out += cls
      i = next
      continue
    }
    if (ch === '\\') {
      const next = text[i + 1]
      if (next === undefined) throw new Error('trailing backslash')
      out += gnuEscape(next) ?? escapeLiteral(next)
      i += 2
      continue
    }
    if (ch === '.') out += newline ? '[^\\n]' : '[\\s\\S]'
    else if (ch === '{') {
      const interval = /^\{(\d+)(,(\d*))?\}/.exec(text.slice(i))
      if (interval === null) throw new Error('bad interval')
      out += interval[0]
      i += interval[0].length
      continue
    } else if (ch === '/' || ch === '}') out += `\\${ch}`
    else out += ch
    i++
  }
  return out
}

function translateBasic(text: string, newline: boolean): string {
  let out = ''
  let i = 0
  // '*' is literal where nothing precedes it to repeat; '^' anchors only at the start of a
  // pattern or group, '$' only at the end of one.
  let atStart = true
  while (i < text.length) {
    const ch = text[i]!
    const wasStart = atStart
    atStart = false
    if (ch === '[') {
      const [cls, next] = bracket(text, i + 1, newline)
      out += cls
      i = next
      continue
    }
    if (ch === '\\') {
      const next = text[i + 1]
      if (next === undefined) throw new Error('trailing backslash')
      i += 2
      if (next === '(') {
        out += '('
        atStart = true
      } else if (next === ')') out += ')'
      else if (next === '|') {
        out += '|'
        atStart = true
      } else if (next === '{') {
        const interval = /^(\d+)(,(\d*))?\\\}/.exec(text.slice(i))
        if (interval === null) throw new Error('bad interval')
        out += `{${interval[1]}${interval[2] ?? ''}}`
        i += interval[0].length
      } else if (next === '+' || next === '?') out += next
      else out += gnuEscape(next) ?? escapeLiteral(next)
      continue
    }
    if (ch === '*') out += wasStart ? '\\*' : '*'
    else if (ch === '^') {
      out += wasStart ? '^' : '\\^'
      if (wasStart) atStart = true
    } else if (ch === '$') {
      const atEnd = i + 1 === text.length || text.startsWith('\\)', i + 1) || text.startsWith('\\|', i + 1)
      out += atEnd ? '$' : '\\$'
    } else if (ch === '.') out += newline ? '[^\\n]' : '[\\s\\S]'
    else out += escapeLiteral(ch)
    i++
  }
  return out
}
