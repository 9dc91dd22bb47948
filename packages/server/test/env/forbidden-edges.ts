// Finds the places where code reaches the outside world around its Env: wall or performance time,
// timers (global ones and a socket's own), Math.random and crypto randomness, and value imports of fs and net.

export interface Finding {
  line: number
  what: string
  text: string
}

const CALLS: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: 'Date.now()', pattern: /\bDate\.now\s*\(/ },
  { what: 'new Date()', pattern: /\bnew\s+Date\s*\(/ },
  { what: 'performance.now()', pattern: /\bperformance\.now\s*\(/ },
  // A socket's own setTimeout (its idle timeout) runs on real time too, so it counts.
  { what: 'setTimeout', pattern: /(?<![\w$])setTimeout\b/ },
  { what: 'setInterval', pattern: /(?<![.\w$])setInterval\b/ },
  { what: 'setImmediate', pattern: /(?<![.\w$])setImmediate\b/ },
  { what: 'Math.random', pattern: /\bMath\.random\b/ },
  { what: 'crypto randomness', pattern: /\b(?:randomBytes|randomFillSync|randomFill|randomInt|randomUUID|getRandomValues)\b/ },
]

const EDGE_MODULE = String.raw`(?:node:)?(?:fs|fs/promises|net)`
/** import ... from 'node:fs' (any form but `import type`), and import 'node:fs'. */
const STATIC_IMPORT = new RegExp(String.raw`\bimport\s+(?!type\s)([^'";]*?)\s*from\s*['"]${EDGE_MODULE}['"]|\bimport\s*['"]${EDGE_MODULE}['"]`, 'g')
const DYNAMIC_IMPORT = new RegExp(String.raw`\b(?:import|require)\s*\(\s*['"]${EDGE_MODULE}['"]`, 'g')

/** Blanks comments (keeping line breaks, so line numbers stay right). */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/(^|[\s;{}(),])\/\/[^\n]*/g, (comment, before: string) => before + ' '.repeat(comment.length - before.length))
}

/** An import whose every named member is `type X` brings in no value. */
function importsOnlyTypes(clause: string): boolean {
  const braces = /^\{([\s\S]*)\}$/.exec(clause.trim())
  if (braces === null) return false
  const members = braces[1]!.split(',').map((m) => m.trim()).filter((m) => m !== '')
  return members.length > 0 && members.every((m) => m.startsWith('type '))
}

export function findForbiddenEdges(source: string): Finding[] {
  const code = withoutComments(source)
  const lines = code.split('\n')
  const original = source.split('\n')
  const findings: Finding[] = []
  lines.forEach((line, i) => {
    for (const { what, pattern } of CALLS) if (pattern.test(line)) findings.push({ line: i + 1, what, text: original[i]!.trim() })
  })
  const lineOf = (index: number): number => code.slice(0, index).split('\n').length
  for (const match of code.matchAll(STATIC_IMPORT)) {
    if (match[1] !== undefined && importsOnlyTypes(match[1])) continue
    const line = lineOf(match.index)
    findings.push({ line, what: 'value import of fs or net', text: original[line - 1]!.trim() })
  }
  for (const match of code.matchAll(DYNAMIC_IMPORT)) {
    const line = lineOf(match.index)
    findings.push({ line, what: 'dynamic import of fs or net', text: original[line - 1]!.trim() })
  }
  return findings.sort((a, b) => a.line - b.line)
}
