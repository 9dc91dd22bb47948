// Starting through a TypeScript loader costs about 300 ms per process (or worker), so the aerolite
// command and embedded nodes run from ESM bundles of the TypeScript sources, rebuilt with esbuild
// whenever a source file is newer than the bundle.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
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
  mkdirSync(dirname(out), { recursive: true })
  // esbuild is loaded only when a build is due: importing it costs startup time.
  const { build, stop } = await import('esbuild')
  let outputs
  try {
    ;({ outputFiles: outputs } = await build({
      entryPoints: [join(packagesDir, entry)],
      outfile: out,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
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
      // The CommonJS code in the bundle (pino) requires Node's built-ins, which needs a require.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'error',
    }))
  } finally {
    // esbuild runs as a service child process that would otherwise live as long as the node.
    await stop()
  }
  // Written beside the target and renamed, so concurrent starts never load a half-written file;
  // the map first, so a bundle is never without its map.
  for (const file of [...outputs].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')))) {
    const tmp = join(dirname(file.path), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
    writeFileSync(tmp, file.contents)
    renameSync(tmp, file.path)
  }
  return out
}
