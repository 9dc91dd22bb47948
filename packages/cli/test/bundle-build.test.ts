// A start that has to build the bundle first leaves no esbuild process behind: esbuild's service
// child is stopped once the bundle is written, instead of living as long as the node. A bundle is
// rebuilt when one of its inputs is newer than it, and keeps no files of its earlier builds.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { killAll, startNode, stopNode } from './cli-process.ts'

const DIST = fileURLToPath(new URL('../../server/dist/', import.meta.url))
const BUNDLE = `${DIST}aerolite.cjs`

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

/** The build id of the bundle on disk (the hash of its contents, in its first line). */
function buildId(): string {
  return /^\/\*aerolite-build ([0-9a-f]{16})\*\//.exec(readFileSync(BUNDLE, 'utf8'))![1]!
}

/** The files of one build beside the bundle: its list of inputs and its code caches. */
function buildFiles(id: string): string[] {
  return readdirSync(DIST).filter((name) => name.startsWith(`aerolite.cjs.${id}.`))
}

test('after building the bundle, the node runs without an esbuild child', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  // Older than every source: the next start rebuilds it.
  if (existsSync(BUNDLE)) utimesSync(BUNDLE, 0, 0)
  const node = await startNode(['--port', '0', '--log-level', 'silent'])
  try {
    assert.ok(readdirSync(DIST).includes('aerolite.cjs'))
    assert.deepEqual(childCommands(node.child.pid!), [])
  } finally {
    await stopNode(node)
  }
})

test('a bundle is rebuilt when one of its inputs is newer, and the files of the earlier build go', async () => {
  await stopNode(await startNode(['--port', '0', '--log-level', 'silent']))
  const before = buildId()
  const inputs = JSON.parse(readFileSync(`${DIST}aerolite.cjs.${before}.inputs.json`, 'utf8')) as string[]
  // A bundled package's file counts as much as a source: an upgraded dependency rebuilds it too.
  const input = inputs.find((path) => path.includes('node_modules/pino/'))
  assert.ok(input !== undefined, 'pino is among the inputs')
  // The same contents with another id: the earlier build's files must be removed by the rebuild.
  writeFileSync(`${DIST}aerolite.cjs.0000000000000000.inputs.json`, '[]')
  const path = fileURLToPath(new URL(`../../${input}`, import.meta.url))
  const { atime, mtime } = statSync(path)
  const bundleMtime = statSync(BUNDLE).mtime
  utimesSync(path, atime, new Date(bundleMtime.getTime() + 1_000))
  try {
    await stopNode(await startNode(['--port', '0', '--log-level', 'silent']))
    assert.ok(statSync(BUNDLE).mtimeMs > bundleMtime.getTime(), 'the bundle was rebuilt')
    assert.deepEqual(buildFiles('0000000000000000'), [])
    assert.ok(buildFiles(buildId()).includes(`aerolite.cjs.${buildId()}.inputs.json`))
  } finally {
    utimesSync(path, atime, mtime)
  }
})

test('a started node loads none of the packages only the operator and deploy load', async () => {
  // esbuild requires a statically imported external package when the importing module is first
  // run, so a part that only `operator` or `deploy cloud` needs must import it dynamically.
  const node = await startNode(['--port', '0', '--log-level', 'silent'])
  await stopNode(node)
  const bundle = readFileSync(BUNDLE, 'utf8')
  // Static imports become `import_x=__toESM(require("x"))`; dynamic ones `Promise.resolve().then(()=>__toESM(require("x")))`.
  const required = [...bundle.matchAll(/\bimport_[\w$]+=(?:__toESM\()?require\("([^"]+)"\)/g)].map((m) => m[1]!)
  assert.ok(required.includes('node:net'), 'the pattern finds the static imports of built-in modules')
  assert.deepEqual([...new Set(required.filter((name) => !name.startsWith('node:')))].sort(), [])
})
