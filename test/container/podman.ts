// Podman for the container tests: the image built from this checkout (on a local stand-in for the
// public Node 20 base where no registry is reachable), containers tracked and removed at the end.
import { execFile, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The base the tests build on: made by deploy/container/make-base-image.sh when missing. */
export const BASE_IMAGE = 'localhost/node:20-bookworm-slim'
export const IMAGE = 'localhost/aerolite:test'

export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Why the container tests cannot run here, or false. CI (env CI) must run them: there, a missing podman fails. */
export function podmanMissing(): string | false {
  if (spawnSync('podman', ['--version']).status === 0) return false
  if (process.env.CI !== undefined) throw new Error('podman is not on PATH: .ci/run installs it (apt-get install podman buildah runc ...)')
  return 'podman is not installed'
}

/** Runs podman; never throws for a non-zero exit (the caller checks `code`). */
export function podman(args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile('podman', args, { cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      resolve({ code, stdout, stderr: err !== null && typeof err.code !== 'number' ? `${stderr}${err.message}` : stderr })
    })
  })
}

export async function podmanOk(args: readonly string[], timeoutMs?: number): Promise<string> {
  const run = await podman(args, timeoutMs)
  if (run.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${run.code}: ${run.stderr.trim().slice(-2000)}`)
  return run.stdout.trim()
}

/** Builds IMAGE from this checkout (layers cached between runs); returns its size in bytes. */
export async function buildImage(): Promise<number> {
  if ((await podman(['image', 'exists', BASE_IMAGE])).code !== 0) {
    const made = spawnSync('bash', ['deploy/container/make-base-image.sh', BASE_IMAGE], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 })
    if (made.status !== 0) throw new Error(`make-base-image.sh failed: ${made.stderr}`)
  }
  // Docker format: OCI images have no HEALTHCHECK.
  await podmanOk(['build', '--format', 'docker', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', IMAGE, '.'], 600_000)
  return Number(await podmanOk(['image', 'inspect', IMAGE, '--format', '{{.Size}}']))
}

const containers = new Set<string>()
const volumes = new Set<string>()
const networks = new Set<string>()
const run = `${process.pid}-${Date.now().toString(36)}`

/** A name unique to this test run (containers, volumes and networks are removed by cleanUp()). */
export function uniqueName(prefix: string): string {
  return `aerolite-test-${prefix}-${run}`
}

export async function runContainer(name: string, args: readonly string[], image = IMAGE, command: readonly string[] = []): Promise<void> {
  containers.add(name)
  await podmanOk(['run', '-d', '--name', name, ...args, image, ...command])
}

export async function createVolume(name: string): Promise<void> {
  volumes.add(name)
  await podmanOk(['volume', 'create', name])
}

export async function createNetwork(name: string, args: readonly string[] = []): Promise<void> {
  networks.add(name)
  await podmanOk(['network', 'create', ...args, name])
}

export async function removeContainer(name: string): Promise<void> {
  await podman(['rm', '-f', '-t', '0', name])
  containers.delete(name)
}

/** Removes every container, volume and network this run made. */
export async function cleanUp(): Promise<void> {
  for (const name of containers) await podman(['rm', '-f', '-t', '0', name])
  for (const name of volumes) await podman(['volume', 'rm', '-f', name])
  for (const name of networks) await podman(['network', 'rm', '-f', name])
  containers.clear()
  volumes.clear()
  networks.clear()
}

export async function containerIp(name: string): Promise<string> {
  return podmanOk(['inspect', name, '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'])
}

/** Polls until `check` holds, or throws naming `what` after withinMs; returns the ms it took. */
export async function until(what: string, check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const startedMs = Date.now()
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - startedMs
    if (Date.now() - startedMs > withinMs) throw new Error(`timed out after ${withinMs} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Whether GET url answers 200 within 1 s. */
export async function answers200(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
  return response.ok
}
