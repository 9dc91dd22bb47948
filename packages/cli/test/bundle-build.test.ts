// A start that has to build the bundle first leaves no esbuild process behind: esbuild's service
// child is stopped once the bundle is written, instead of living as long as the node.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { killAll, startNode, stopNode } from './cli-process.ts'

const BUNDLE = fileURLToPath(new URL('../../server/dist/aerolite.mjs', import.meta.url))

after(killAll)

/** The command lines of a process's children (Linux: /proc/PID/task/TID/children). */
function childCommands(pid: number): string[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((c) => c !== ''))
  return children.map((child) => {
    try {
      // An exited child not yet reaped (a zombie) has an empty command line: it runs no more.
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim()
    } catch {
      return `${child} (gone)`
    }
  }).filter((command) => command !== '')
}

test('after building the bundle, the node runs without an esbuild child', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  // Older than every source: the next start rebuilds it.
  if (existsSync(BUNDLE)) utimesSync(BUNDLE, 0, 0)
  const node = await startNode(['--port', '0', '--log-level', 'silent'])
  try {
    assert.ok(readdirSync(fileURLToPath(new URL('../../server/dist/', import.meta.url))).includes('aerolite.mjs'))
    assert.deepEqual(childCommands(node.child.pid!), [])
  } finally {
    await stopNode(node)
  }
})

test('a started node loads none of the packages only the operator and deploy load', async () => {
  // esbuild hoists a static import of an external package to the bundle's top, so a part that
  // only `operator` or `deploy cloud` needs must import it dynamically.
  const node = await startNode(['--port', '0', '--log-level', 'silent'])
  await stopNode(node)
  const bundle = readFileSync(BUNDLE, 'utf8')
  // Static imports (the bundle is minified: `import{a,b}from"x";`); dynamic ones have no `from`.
  const topLevel = [...bundle.matchAll(/\bimport\s*[\w{*][^;"]*?from\s*"([^"]+)"/g)].map((m) => m[1]!).filter((name) => !name.startsWith('node:'))
  assert.deepEqual([...new Set(topLevel)].sort(), [])
})
