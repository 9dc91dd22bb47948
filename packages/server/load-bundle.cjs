// Runs a CommonJS bundle built by bundle.cjs through V8's code cache. Compiling the 1 MB bundle
// and the functions a start calls took 30-50 ms of every start; with the cache V8 deserialises
// them instead. Node 20 has no module.enableCompileCache, hence vm.Script.
'use strict'
const { closeSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs')
const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')
const { Script } = require('node:vm')

/** bundle.cjs puts this first in a bundle: the hash of its contents. */
const BUILD_ID_PLACEHOLDER = '/*aerolite-build 0000000000000000*/'
const BUILD_ID = /^\/\*aerolite-build ([0-9a-f]{16})\*\//

/**
 * After this long the functions a node's start calls are compiled, and the cache is written with
 * them. A process that ends sooner (a short command) writes none: its cache would lack the start.
 */
const SAVE_CACHE_AFTER_MS = 1_000

/**
 * The files kept beside a bundle for one build of it: its code cache and the list of its inputs.
 * V8 checks a cache against the source's length only, so a cache belongs to one build (by the hash
 * of its contents) and to one V8 (which rejects another's, flags included).
 */
function buildFilePath(bundlePath, buildId, what) {
  return `${bundlePath}.${buildId}.${what === 'cache' ? `v8-${process.versions.v8}.cache` : 'inputs.json'}`
}

/** The bundle at `path` (undefined if there is none): its source, build id and mtime, read together. */
function readBundle(path) {
  let fd
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if (err.code === 'ENOENT') return undefined
    throw err
  }
  try {
    // One descriptor for both: a bundle renamed into place meanwhile cannot mix two builds.
    const mtimeMs = fstatSync(fd).mtimeMs
    const source = readFileSync(fd, 'utf8')
    return { path, source, buildId: BUILD_ID.exec(source)?.[1], mtimeMs }
  } finally {
    closeSync(fd)
  }
}

/** Runs a bundle read by readBundle and returns its exports; writes its code cache if it had none. */
function runBundle({ path, source, buildId }) {
  // Node maps stack traces through source maps (--enable-source-maps) only in the code its own
  // loaders load: when asked to, it loads the bundle, without the cache.
  if (process.sourceMapsEnabled) return require(path)
  const cachePath = buildId === undefined ? undefined : buildFilePath(path, buildId, 'cache')
  let cachedData
  try {
    if (cachePath !== undefined) cachedData = readFileSync(cachePath)
  } catch {
    // No cache yet: compiled from source, and the cache written below.
  }
  // The wrapper is CommonJS's own; the bundle's first line is the build id, so the columns it
  // shifts are a comment's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData })
  const bundleModule = { exports: {} }
  script.runInThisContext().call(bundleModule.exports, bundleModule.exports, createRequire(path), bundleModule, path, dirname(path))
  if (cachePath !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    setTimeout(() => saveCodeCache(script, cachePath), SAVE_CACHE_AFTER_MS).unref()
  }
  return bundleModule.exports
}

/** Runs the bundle at `path` as it is (the container image's, built with the image). */
function loadBundle(path) {
  const bundle = readBundle(path)
  if (bundle === undefined) throw new Error(`no bundle at ${path}`)
  return runBundle(bundle)
}

function saveCodeCache(script, cachePath) {
  // Written beside it and renamed: concurrent starts never read half a cache.
  const tmp = join(dirname(cachePath), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
  try {
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cachePath)
  } catch {
    // A read-only installation runs without a cache, as fast as before it existed.
    rmSync(tmp, { force: true })
  }
}

module.exports = { BUILD_ID_PLACEHOLDER, buildFilePath, readBundle, runBundle, loadBundle }
