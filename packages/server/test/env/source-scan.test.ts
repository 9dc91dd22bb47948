// The server and client reach time, timers, randomness, files and sockets only through their Env:
// outside packages/server/src/env/ no source may use them directly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findForbiddenEdges } from './forbidden-edges.ts'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const scanned = ['packages/server/src', 'packages/client/src']
const allowed = 'packages/server/src/env/'
/** The web console's own script runs in the browser, not in the node. */
const browserCode = 'packages/server/src/metrics/console/'

function sourcesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourcesUnder(path))
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(path)
  }
  return out
}

test('no source outside env/ reaches time, timers, randomness, fs or net directly', () => {
  const files = scanned.flatMap((dir) => sourcesUnder(join(root, dir))).map((path) => relative(root, path).split('\\').join('/'))
  assert.ok(files.length > 100, `found only ${files.length} source files: is the scan looking in the right place?`)
  const problems: string[] = []
  for (const file of files) {
    if (file.startsWith(allowed) || file.startsWith(browserCode)) continue
    for (const finding of findForbiddenEdges(readFileSync(join(root, file), 'utf8'))) {
      problems.push(`${file}:${finding.line}: ${finding.what}: ${finding.text}`)
    }
  }
  assert.deepEqual(problems, [], `use the Env (clock, scheduler, random, disk, network) instead:\n${problems.join('\n')}`)
})

test('the scan finds each forbidden use (a socket\'s own timeout too), and lets type-only imports and comments pass', () => {
  const planted = [
    'const a = Date.now()',
    'const b = new Date(0)',
    'const c = performance.now()',
    'setTimeout(run, 10)',
    'const t = setInterval(run, 10)',
    'await new Promise((resolve) => setImmediate(resolve))',
    'const r = Math.random()',
    "import { randomBytes } from 'node:crypto'",
    "import { readFileSync } from 'node:fs'",
    "import { open } from 'fs/promises'",
    "import * as net from 'node:net'",
    "import {\n  connect,\n  type Socket,\n} from 'node:net'",
    "const fs = await import('node:fs')",
    'socket.setTimeout(idleMs, reap)',
  ].join('\n')
  const found = findForbiddenEdges(planted).map((f) => `${f.line} ${f.what}`)
  assert.deepEqual(found, [
    '1 Date.now()', '2 new Date()', '3 performance.now()', '4 setTimeout', '5 setInterval', '6 setImmediate', '7 Math.random',
    '8 crypto randomness', '9 value import of fs or net', '10 value import of fs or net', '11 value import of fs or net',
    '12 value import of fs or net', '16 dynamic import of fs or net', '17 setTimeout',
  ])
  const harmless = [
    "import type { Socket } from 'node:net'",
    "import { type Stats } from 'node:fs'",
    '// setImmediate lets every writer of this turn join',
    '/** Date.now() would not be deterministic */',
    "const text = 'see https://example.com'",
  ].join('\n')
  assert.deepEqual(findForbiddenEdges(harmless), [])
})
