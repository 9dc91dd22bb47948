// Runs the aerolite command as a child process, the way a user does: `node packages/cli/bin/aerolite.cjs`.
// Every wait is bounded; every child started here is tracked so a test file can kill leftovers in after().
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { requestInfo } from '../src/info-request.ts'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../bin/aerolite.cjs', import.meta.url))

/** `aerolite ready on HOST:PORT node ID namespaces A, B (N ms)` */
export const READY_LINE = /^aerolite ready on (\S+):(\d+) node ([0-9A-F]{1,16}) namespaces (.+) \((\d+) ms\)$/

/** Longest any single wait in these tests may take. */
export const MAX_WAIT_MS = 10_000

const children = new Set<ChildProcess>()

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunningNode {
  child: ChildProcess
  host: string
  port: number
  readyLine: string
  /** Everything written to stdout and stderr so far (grows while the child runs). */
  output(): { stdout: string; stderr: string }
  /** Resolves when the child exits. */
  exited: Promise<Finished>
}

function spawnCli(args: readonly string[], cwd = REPO_ROOT, env?: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string; exited: Promise<Finished> } {
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  // 'close' fires after the exit and after both pipes are drained.
  const exited = new Promise<Finished>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { stdout: () => stdout, stderr: () => stderr, exited }
}

/** Rejects after ms with a message that says what was being waited for. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Runs `aerolite ARGS...` to completion (killed after timeoutMs); cwd defaults to the repository root, env to this process's. */
export interface RunningCli {
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): { stdout: string; stderr: string }
  exited: Promise<Finished>
}

/** Starts an aerolite command that keeps running (kill its child to end it). */
export function startCli(args: readonly string[], env?: NodeJS.ProcessEnv): RunningCli {
  const child = spawnCli(args, REPO_ROOT, env)
  const { stdout, stderr, exited } = collect(child)
  return { child, output: () => ({ stdout: stdout(), stderr: stderr() }), exited }
}

export async function runCli(args: readonly string[], options: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  const timeoutMs = options.timeoutMs ?? MAX_WAIT_MS
  const child = spawnCli(args, options.cwd, options.env)
  const { exited, stdout, stderr } = collect(child)
  try {
    return await within(timeoutMs, `aerolite ${args.join(' ')} to exit`, exited)
  } catch (err) {
    child.kill('SIGKILL')
    throw new Error(`${(err as Error).message}\nstdout: ${stdout()}\nstderr: ${stderr()}`)
  }
}

/**
 * Starts `aerolite start ARGS...` and waits for its ready line. onReadyLine runs synchronously in
 * the stdout 'data' event that completes the line (to act before the node's next event-loop turn).
 */
/** `env` replaces the child's environment (default: this process's). */
export async function startNode(args: readonly string[], onReadyLine?: (child: ChildProcess) => void, env?: NodeJS.ProcessEnv): Promise<RunningNode> {
  const child = spawnCli(['start', ...args], REPO_ROOT, env)
  const { exited, stdout, stderr } = collect(child)
  const ready = new Promise<string>((resolve, reject) => {
    let seen = false
    const check = (): void => {
      const newline = stdout().indexOf('\n')
      if (newline < 0 || seen) return
      seen = true
      onReadyLine?.(child)
      resolve(stdout().slice(0, newline))
    }
    child.stdout!.on('data', check)
    void exited.then((f) => reject(new Error(`aerolite start exited (code ${f.code}, signal ${f.signal}) before it was ready\nstdout: ${f.stdout}\nstderr: ${f.stderr}`)))
  })
  let readyLine: string
  try {
    readyLine = await within(MAX_WAIT_MS, 'the ready line of aerolite start', ready)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  const match = READY_LINE.exec(readyLine)
  if (match === null) {
    child.kill('SIGKILL')
    throw new Error(`the first line of aerolite start is not a ready line: ${JSON.stringify(readyLine)}`)
  }
  return {
    child,
    host: match[1]!,
    port: Number(match[2]),
    readyLine,
    output: () => ({ stdout: stdout(), stderr: stderr() }),
    exited,
  }
}

/**
 * Waits until the node has answered one info request. The node installs its signal handlers in the
 * same event-loop turn as it prints the ready line, so after any answer they are in place.
 */
export async function settled(node: RunningNode): Promise<void> {
  await within(MAX_WAIT_MS, 'an info answer', requestInfo(node.host, node.port, ['status']))
}

/** Sends SIGTERM and waits (bounded) for the node to exit. */
export async function stopNode(node: RunningNode, timeoutMs = MAX_WAIT_MS): Promise<Finished> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM')
  try {
    return await within(timeoutMs, 'aerolite start to exit after SIGTERM', node.exited)
  } catch (err) {
    node.child.kill('SIGKILL')
    throw err
  }
}

/** Kills every child still running; call from after(). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}

/** A TCP port that was free a moment ago: listen on port 0, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'))
      server.close(() => resolve(address.port))
    })
  })
}

/** The lines of a text, without the empty string after a final newline. */
export function lines(text: string): string[] {
  const out = text.split('\n')
  if (out.at(-1) === '') out.pop()
  return out
}
