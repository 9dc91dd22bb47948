// Starting through a TypeScript loader costs about 300 ms per process (or worker), so the aerolite
// command and embedded nodes run from ESM bundles of the TypeScript sources, rebuilt with esbuild
// whenever a source file is newer than the bundle.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packagesDir = fileURLToPath(new URL('../', import.meta.url))
const sourceDirs = ['protocol/src', 'client/src', 'server/src', 'cli/src'].map((d) => join(packagesDir, d))

function newestSourceMs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs)
  }
  return newest
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return -1
  }
}

/** Returns the path of an up-to-date bundle of entry (relative to packages/) in packages/server/dist. */
export async function ensureBundle(entry, outName) {
  const out = join(packagesDir, 'server', 'dist', outName)
  const built = mtimeMs(out)
  if (built >= 0 && built >= Math.max(...sourceDirs.map(newestSourceMs), mtimeMs(fileURLToPath(import.meta.url)))) return out
  // Build beside the target and rename, so concurrent starts never load a half-written file.
  mkdirSync(dirname(out), { recursive: true })
  const tmp = join(dirname(out), `.${outName}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp.mjs`)
  // esbuild is loaded only when a build is due: importing it costs startup time.
  const { build, stop } = await import('esbuild')
  try {
    await build({
      entryPoints: [join(packagesDir, entry)],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // pino loads worker files by path at run time, and etcd3 and gRPC read .proto files beside
      // their code; yaml's Node build is CommonJS that requires Node's built-ins, which an ESM
      // bundle cannot; the Kubernetes client is large and only the operator loads it: they stay
      // normal dependencies.
      external: ['pino', 'tsx', 'esbuild', 'etcd3', '@grpc/grpc-js', '@grpc/proto-loader', 'cockatiel', 'yaml', '@kubernetes/client-node'],
      sourcemap: 'inline',
      logLevel: 'error',
    })
  } finally {
    // esbuild runs as a service child process that would otherwise live as long as the node.
    await stop()
  }
  renameSync(tmp, out)
  return out
}
