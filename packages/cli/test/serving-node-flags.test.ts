// The V8 flags of a serving node are written out where a process is started outside TypeScript:
// the image's entrypoint, the Helm chart's copy of it, and the benchmark. They must agree.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SERVING_NODE_FLAGS } from '../src/serving-node-flags.ts'

const root = new URL('../../../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')
const quoted = (args: readonly string[]): string => args.map((arg) => JSON.stringify(arg)).join(', ')
const entrypoint = ['node', ...SERVING_NODE_FLAGS, '/app/aerolite.mjs']

test('the image runs its node with the serving flags', () => {
  assert.match(read('Dockerfile'), new RegExp(`^ENTRYPOINT \\[${escape(quoted(entrypoint))}\\]$`, 'm'))
})

test("the Helm chart's copy of the entrypoint names them too", () => {
  assert.match(read('deploy/helm/aerolite/values.yaml'), new RegExp(`^  entrypoint: \\[${escape(quoted(entrypoint))}\\]$`, 'm'))
})

test('the benchmark starts its servers with them by default', () => {
  assert.match(read('bench/run.mjs'), new RegExp(`^const SERVING_NODE_FLAGS = \\[${escape(SERVING_NODE_FLAGS.map((f) => `'${f}'`).join(', '))}\\]$`, 'm'))
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
