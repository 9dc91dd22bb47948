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

/** A piece of the JS pattern and the index in the POSIX pattern just after what it translates. */
type Piece = [js: string, end: number]

/** How one syntax reads what the shared loop leaves to it, each from index `at`. */
interface Syntax {
  /** The character after a backslash; `at` is the index after both. */
  escaped(ch: string, at: number): Piece
  /** Any other character but '[' and '.'; `at` is its index. */
  plain(ch: string, at: number): Piece
}

/** The loop both syntaxes share: bracket expressions and '.' read alike, and a backslash must escape something. */
function translate(text: string, newline: boolean, syntax: Syntax): string {
  let out = ''
  for (let i = 0; i < text.length; ) {
    const [js, end] = pieceAt(text, i, newline, syntax)
    out += js
    i = end
  }
  return out
}

function pieceAt(text: string, i: number, newline: boolean, syntax: Syntax): Piece {
  const ch = text[i]!
  if (ch === '[') return bracket(text, i + 1, newline)
  if (ch === '.') return [newline ? '[^\\n]' : '[\\s\\S]', i + 1]
  if (ch !== '\\') return syntax.plain(ch, i)
  const next = text[i + 1]
  if (next === undefined) throw new Error('trailing backslash')
  return syntax.escaped(next, i + 2)
}

function translateExtended(text: string, newline: boolean): string {
  return translate(text, newline, {
    escaped: (ch, at) => [gnuEscape(ch) ?? escapeLiteral(ch), at],
    plain: (ch, at) => {
      if (ch === '{') {
        const interval = /^\{(\d+)(,(\d*))?\}/.exec(text.slice(at))
        if (interval === null) throw new Error('bad interval')
        return [interval[0], at + interval[0].length]
      }
      return [ch === '/' || ch === '}' ? `\\${ch}` : ch, at + 1]
    },
  })
}

function translateBasic(text: string, newline: boolean): string {
  // '*' is literal where nothing precedes it to repeat; '^' anchors only at the start of a
  // pattern or group, '$' only at the end of one. `start` is the index of the character that
  // stands at a start: 0, the one after '\(' or '\|', or the one after an anchoring '^'.
  let start = 0
  return translate(text, newline, {
    escaped: (ch, at) => {
      if (ch === '(' || ch === '|') {
        start = at
        return [ch, at]
      }
      if (ch === '{') {
        const interval = /^(\d+)(,(\d*))?\\\}/.exec(text.slice(at))
        if (interval === null) throw new Error('bad interval')
        return [`{${interval[1]}${interval[2] ?? ''}}`, at + interval[0].length]
      }
      if (ch === ')' || ch === '+' || ch === '?') return [ch, at]
      return [gnuEscape(ch) ?? escapeLiteral(ch), at]
    },
    plain: (ch, at) => {
      const atStart = at === start
      if (ch === '*') return [atStart ? '\\*' : '*', at + 1]
      if (ch === '^') {
        // An anchor leaves the next character at the start too.
        if (atStart) start = at + 1
        return [atStart ? '^' : '\\^', at + 1]
      }
      if (ch === '$') {
        const atEnd = at + 1 === text.length || text.startsWith('\\)', at + 1) || text.startsWith('\\|', at + 1)
        return [atEnd ? '$' : '\\$', at + 1]
      }
      return [escapeLiteral(ch), at + 1]
    },
  })
}
