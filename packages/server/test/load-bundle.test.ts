// The bundles' V8 code cache (load-bundle.cjs): V8 checks a cache against the source's length
// only, and would run the code of another source of the same length. These tests give it such a
// source.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { buildFilePath, loadBundle, readBundle } from '../load-bundle.cjs'

/** The loader writes a missing cache a second after loading. */
const CACHE_WRITTEN_MS = 1_500

// The tests run under tsx, which turns source maps on; with them on, the loader leaves bundles to
// Node's own loader, without a cache (the last test).
const sourceMapsWereEnabled = process.sourceMapsEnabled
before(() => process.setSourceMapsEnabled(false))
after(() => process.setSourceMapsEnabled(sourceMapsWereEnabled))

/** A bundle of build `buildId` (16 hex digits) whose export `value` is `value`. */
function writeBundle(path: string, buildId: string, value: string): void {
  writeFileSync(path, `/*aerolite-build ${buildId}*/\n"use strict";module.exports = { value: ${JSON.stringify(value)}, strict: (function () { return this === undefined })(), self: this === module.exports }\n`)
}

function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-load-bundle-'))
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }))
}

test('a bundle writes its code cache after a second, and the next load runs its own code from it', () => withDir(async (dir) => {
  const path = join(dir, 'b.cjs')
  writeBundle(path, 'aaaaaaaaaaaaaaaa', 'A')
  assert.deepEqual(loadBundle(path), { value: 'A', strict: true, self: true })
  await delay(CACHE_WRITTEN_MS)
  const cache = buildFilePath(path, 'aaaaaaaaaaaaaaaa', 'cache')
  assert.ok(readdirSync(dir).includes(cache.slice(dir.length + 1)), `no ${cache} in ${readdirSync(dir).join(', ')}`)
  assert.deepEqual(loadBundle(path), { value: 'A', strict: true, self: true })
}))

test("another build of the same length never runs from the first build's cache", () => withDir(async (dir) => {
  const path = join(dir, 'b.cjs')
  writeBundle(path, 'aaaaaaaaaaaaaaaa', 'A')
  loadBundle(path)
  await delay(CACHE_WRITTEN_MS)
  writeBundle(path, 'bbbbbbbbbbbbbbbb', 'B')
  // Were the cache found by the bundle's name alone, V8 would accept it and answer 'A'.
  assert.equal(loadBundle(path).value, 'B')
}))

test('a damaged cache is rejected, the bundle compiled from its source, and the cache written anew', () => withDir(async (dir) => {
  const path = join(dir, 'b.cjs')
  writeBundle(path, 'cccccccccccccccc', 'C')
  const cache = buildFilePath(path, 'cccccccccccccccc', 'cache')
  writeFileSync(cache, Buffer.from('not a V8 code cache'))
  assert.equal(loadBundle(path).value, 'C')
  await delay(CACHE_WRITTEN_MS)
  assert.notEqual(readFileSync(cache).toString(), 'not a V8 code cache')
  assert.equal(loadBundle(path).value, 'C')
}))

test("with source maps on, Node's loader runs the bundle (so its stack traces are mapped), and no cache is written", () => withDir(async (dir) => {
  const path = join(dir, 'b.cjs')
  writeBundle(path, 'dddddddddddddddd', 'D')
  process.setSourceMapsEnabled(true)
  try {
    assert.deepEqual(loadBundle(path), { value: 'D', strict: true, self: true })
  } finally {
    process.setSourceMapsEnabled(false)
  }
  await delay(CACHE_WRITTEN_MS)
  assert.deepEqual(readdirSync(dir), ['b.cjs'])
}))

test('a missing bundle reads as none, and loading it names the path', () => withDir(async (dir) => {
  assert.equal(readBundle(join(dir, 'none.cjs')), undefined)
  assert.throws(() => loadBundle(join(dir, 'none.cjs')), /no bundle at .*none\.cjs/)
}))
