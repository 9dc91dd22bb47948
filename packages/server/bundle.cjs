// Starting through a TypeScript loader costs about 300 ms per process (or worker), so the aerolite
// command and embedded nodes run from CommonJS bundles of the TypeScript sources, rebuilt with
// esbuild whenever one of the files that went into a bundle is newer than it, and run by
// load-bundle.cjs. CommonJS itself, like load-bundle.cjs and the aerolite command: loading ES
// modules first costs a start ~10 ms.
'use strict'
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs')
const { basename, dirname, join } = require('node:path')
const { BUILD_ID_PLACEHOLDER, buildFilePath, readBundle, runBundle } = require('./load-bundle.cjs')

const packagesDir = join(__dirname, '..')
const distDir = join(packagesDir, 'server', 'dist')
/** How bundles are built and run: a change to these changes every bundle. */
const builders = ['bundle.cjs', 'load-bundle.cjs'].map((name) => join(__dirname, name))

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return Infinity
  }
}

/**
 * Whether no input of the bundle's build (esbuild's list, sources and bundled packages) is newer
 * than it, or gone. A new source file counts through the file that imports it, which changed to
 * do so.
 */
function isCurrent(bundle) {
  if (bundle.buildId === undefined) return false
  let inputs
  try {
    inputs = JSON.parse(readFileSync(buildFilePath(bundle.path, bundle.buildId, 'inputs'), 'utf8'))
  } catch {
    return false
  }
  return [...inputs.map((input) => join(packagesDir, input)), ...builders].every((path) => mtimeMs(path) <= bundle.mtimeMs)
}

/** Builds entry (relative to packages/) into `out`. */
async function build(entry, out) {
  mkdirSync(dirname(out), { recursive: true })
  // esbuild and crypto are loaded only when a build is due: loading them costs startup time.
  const esbuild = require('esbuild')
  const { createHash } = require('node:crypto')
  let result
  try {
    result = await esbuild.build({
      absWorkingDir: packagesDir,
      entryPoints: [join(packagesDir, entry)],
      outfile: out,
      write: false,
      metafile: true,
      bundle: true,
      platform: 'node',
      // CommonJS, since only a script can be compiled with V8's code cache in Node 20.
      format: 'cjs',
      target: 'node20',
      define: { 'import.meta.url': 'importMetaUrl' },
      inject: [join(__dirname, 'bundle-import-meta.mjs')],
      // A dynamic import() in a script needs an experimental vm option; esbuild turns those of
      // external packages into require() instead (the Kubernetes client is ESM: Node >= 20.19
      // requires it).
      supported: { 'dynamic-import': false },
      // etcd3 and gRPC read .proto files beside their code, and the Kubernetes client is large and
      // only the operator loads it: they stay normal dependencies, as does yaml, which only deploy
      // and the operator load. pino is bundled (its CommonJS files took ~15 ms to load at every
      // start); it loads worker files by path only for transports, which Aerolite does not use.
      external: ['tsx', 'esbuild', 'etcd3', '@grpc/grpc-js', '@grpc/proto-loader', 'cockatiel', 'yaml', '@kubernetes/client-node'],
      // The map in a file of its own (read by --enable-source-maps and debuggers): inline, it was
      // 72% of the bundle, and every start read and compiled it.
      sourcemap: 'linked',
      // Without spaces and comments the bundle is 27% smaller and starts ~10 ms sooner; names are
      // kept, so stack traces and profiles stay readable.
      minifyWhitespace: true,
      // First the build id (load-bundle.cjs keys the code cache by it), on a line of its own.
      banner: { js: BUILD_ID_PLACEHOLDER },
      logLevel: 'error',
    })
  } finally {
    // esbuild runs as a service child process that would otherwise live as long as the node.
    await esbuild.stop()
  }
  const bundle = result.outputFiles.find((file) => file.path === out)
  const map = result.outputFiles.find((file) => file.path === `${out}.map`)
  // The id replaces a placeholder of its length: the source map's columns stay true.
  const buildId = createHash('sha256').update(bundle.contents).digest('hex').slice(0, 16)
  const code = bundle.text.replace(BUILD_ID_PLACEHOLDER, BUILD_ID_PLACEHOLDER.replace(/0{16}/, buildId))
  const inputs = JSON.stringify(Object.keys(result.metafile.inputs))
  // Each written beside its target and renamed, so concurrent starts never read a half-written
  // file; the bundle last, so it is never without its map and its list of inputs.
  for (const [path, contents] of [[map.path, map.contents], [buildFilePath(out, buildId, 'inputs'), inputs], [out, code]]) {
    const tmp = join(dirname(path), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
    writeFileSync(tmp, contents)
    renameSync(tmp, path)
  }
  // The code caches and input lists of this bundle's earlier builds.
  const earlier = `${basename(out)}.`
  for (const name of readdirSync(dirname(out))) {
    if (name.startsWith(earlier) && !name.startsWith(`${earlier}${buildId}.`) && (name.endsWith('.cache') || name.endsWith('.inputs.json'))) rmSync(join(dirname(out), name), { force: true })
  }
}

/** The up-to-date bundle of entry (relative to packages/) in packages/server/dist, built if stale. */
async function freshBundle(entry, outName) {
  const out = join(distDir, outName)
  const bundle = readBundle(out)
  if (bundle !== undefined && isCurrent(bundle)) return bundle
  await build(entry, out)
  return readBundle(out)
}

/** Runs an up-to-date bundle of entry (relative to packages/) and returns its exports. */
async function loadFreshBundle(entry, outName) {
  return runBundle(await freshBundle(entry, outName))
}

module.exports = { loadFreshBundle }
