// A real etcd for tests: a child process on free loopback ports with a temporary data dir, stopped
// by its PID. It can be paused (SIGSTOP), killed and started again on the same data dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ETCD_MISSING = 'etcd is not on PATH: install it with "apt-get install etcd-server etcd-client" (Debian/Ubuntu; etcd 3.4 or later)'

/** Whether the etcd binary can be run. */
export function etcdInstalled(): boolean {
  const result = spawnSync('etcd', ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

export class EtcdProcess {
  readonly dataDir: string
  readonly clientPort: number
  readonly peerPort: number
  private child: ChildProcess | undefined
  private output = ''

  private constructor(dataDir: string, clientPort: number, peerPort: number) {
    this.dataDir = dataDir
    this.clientPort = clientPort
    this.peerPort = peerPort
  }

  static async start(): Promise<EtcdProcess> {
    if (!etcdInstalled()) throw new Error(ETCD_MISSING)
    const etcd = new EtcdProcess(mkdtempSync(join(tmpdir(), 'aerolite-etcd-')), await freePort(), await freePort())
    await etcd.run()
    return etcd
  }

  get pid(): number {
    return this.child!.pid!
  }

  /** (Re)starts etcd on the same ports and data dir and waits until it answers. */
  async run(): Promise<void> {
    const client = `http://127.0.0.1:${this.clientPort}`
    const peer = `http://127.0.0.1:${this.peerPort}`
    const child = spawn('etcd', [
      '--name', 'test', '--data-dir', this.dataDir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    child.stderr!.on('data', (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000)
    })
    const startMs = Date.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}: ${this.output}`)
      try {
        const res = await fetch(`${client}/health`)
        if (res.ok) return
      } catch {
        // Not listening yet.
      }
      if (Date.now() - startMs > 15_000) throw new Error(`etcd did not become healthy within 15 s: ${this.output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  pause(): void {
    process.kill(this.pid, 'SIGSTOP')
  }

  resume(): void {
    process.kill(this.pid, 'SIGCONT')
  }

  /** Kills etcd (SIGKILL) and waits for it to exit; the data dir stays for run(). */
  async kill(): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    process.kill(child.pid!, 'SIGKILL')
    await exited
  }

  async stop(): Promise<void> {
    const child = this.child
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      // A paused etcd must be woken to die of SIGTERM.
      process.kill(child.pid!, 'SIGCONT')
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(child.pid!, 'SIGTERM')
      await exited
    }
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

/** Polls `check` in real time. */
export async function untilReal(what: string, check: () => boolean, withinMs: number): Promise<void> {
  const startMs = Date.now()
  while (!check()) {
    if (Date.now() - startMs > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
