#!/usr/bin/env node
// Runs every *.test.ts of the repo with node:test through the tsx loader (Node 20 has no glob
// support in --test and no TypeScript of its own). Extra arguments narrow the run to paths that
// contain them, e.g. `npm test -- protocol` or `npm test -- packages/server/test/write.test.ts`.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const roots = ['packages', 'test']

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, path))
  }
  return out
}

const filters = process.argv.slice(2)
const files = roots.flatMap((r) => { try { return collect(join(root, r), []) } catch { return [] } })
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`)
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
