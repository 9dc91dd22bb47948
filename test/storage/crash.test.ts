// kill -9 during a write load, then a restart on the same files: with commit-to-device every
// acknowledged write is there; with the default flush every write made before the last completed
// flush is. The node runs as a separate process (the aerolite CLI) so it can really be killed.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { computeDigest, ParticleType } from '@aerolite/protocol'

const Aerospike = createRequire(import.meta.url)('aerospike')
const cli = fileURLToPath(new URL('../../packages/cli/bin/aerolite.cjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'aerolite-crash-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface Node {
  child: ChildProcess
  port: number
}

function startNode(config: string): Promise<Node> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--config', config, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node not ready in 20 s:\n${output}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk
      const ready = /ready on [\d.]+:(\d+)/.exec(output)
      if (ready) {
        clearTimeout(timer)
        resolve({ child, port: Number(ready[1]) })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node exited with ${code}:\n${output}`))
    })
  })
}

function kill9(node: Node): Promise<void> {
  return new Promise((resolve) => {
    node.child.removeAllListeners('exit')
    node.child.once('exit', () => resolve())
    node.child.kill('SIGKILL')
  })
}

async function stop(node: Node): Promise<void> {
  await new Promise<void>((resolve) => {
    node.child.removeAllListeners('exit')
    node.child.once('exit', () => resolve())
    node.child.kill('SIGTERM')
  })
}

function writeConfig(name: string, storage: string[]): string {
  const path = join(dir, `${name}.conf`)
  writeFileSync(path, ['namespace test {', '  storage-engine device {', `    file ${join(dir, `${name}.dat`)}`, '    filesize 64M', ...storage.map((l) => `    ${l}`), '  }', '}', ''].join('\n'))
  return path
}

async function connect(port: number) {
  return Aerospike.connect({ hosts: `127.0.0.1:${port}`, policies: { write: { totalTimeout: 3000, maxRetries: 0 } } })
}

const key = (i: number) => new Aerospike.Key('test', 'crash', `k${i}`)

async function expectAll(port: number, keys: number[]): Promise<void> {
  const client = await connect(port)
  try {
    const missing: number[] = []
    for (const i of keys) {
      try {
        const record = await client.get(key(i))
        if (record.bins.v !== i) missing.push(i)
      } catch {
        missing.push(i)
      }
    }
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${keys.length} writes lost`)
  } finally {
    client.close()
  }
}

/**
 * Resolves once the data file holds the record of write `i`: its digest sits in the record header
 * on disk. Records are appended to the write blocks in the order they are made and written out in
 * that order, so every write before it is on disk too.
 */
async function untilOnDisk(file: string, i: number): Promise<void> {
  const digest = computeDigest('crash', ParticleType.STRING, Buffer.from(`k${i}`))
  const deadline = Date.now() + 10_000
  const head = Buffer.alloc(8 * 1024 * 1024)
  for (;;) {
    const fd = openSync(file, 'r')
    const read = readSync(fd, head, 0, head.length, 0)
    closeSync(fd)
    if (head.subarray(0, read).includes(digest)) return
    if (Date.now() > deadline) assert.fail(`write k${i} not on disk after 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** objects per set, from `sets/test`. */
async function setObjects(port: number): Promise<Map<string, number>> {
  const client = await connect(port)
  try {
    const text: string = await client.infoAny('sets/test')
    const out = new Map<string, number>()
    for (const entry of text.replace(/^sets\/test\t/, '').trim().split(';')) {
      const set = /(?:^|:)set=([^:]+)/.exec(entry)
      const objects = /(?:^|:)objects=(\d+)/.exec(entry)
      if (set && objects) out.set(set[1]!, Number(objects[1]))
    }
    return out
  } finally {
    client.close()
  }
}

describe('kill -9 during a write load', { timeout: 120_000 }, () => {
  it('commit-to-device: every acknowledged write is readable after the restart', async () => {
    const config = writeConfig('commit', ['commit-to-device true'])
    let node = await startNode(config)
    const client = await connect(node.port)
    const acknowledged: number[] = []
    let next = 0
    let stopping = false
    const writer = async () => {
      while (!stopping) {
        const i = next++
        try {
          await client.put(key(i), { v: i })
          acknowledged.push(i)
        } catch {
          return
        }
      }
    }
    const writers = Array.from({ length: 8 }, writer)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await kill9(node)
    stopping = true
    await Promise.all(writers)
    client.close()
    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes before the kill`)
    node = await startNode(config)
    try {
      await expectAll(node.port, acknowledged)
    } finally {
      await stop(node)
    }
  })

  it('the first write into a new set does not wait for the headers, yet after kill -9 the record is back in its set', async () => {
    const config = writeConfig('sets', ['commit-to-device true'])
    let node = await startNode(config)
    const client = await connect(node.port)
    // The first record of each of 20 new sets, all at once; kill -9 as soon as they are acknowledged.
    const sets = Array.from({ length: 20 }, (_, i) => `fresh${i}`)
    await Promise.all(sets.map((set, i) => client.put(new Aerospike.Key('test', set, 'first'), { v: i })))
    await kill9(node)
    client.close()
    node = await startNode(config)
    try {
      const objects = await setObjects(node.port)
      assert.deepEqual(sets.map((set) => objects.get(set)), sets.map(() => 1))
      const reader = await connect(node.port)
      try {
        for (const [i, set] of sets.entries()) assert.equal((await reader.get(new Aerospike.Key('test', set, 'first'))).bins.v, i)
      } finally {
        reader.close()
      }
    } finally {
      await stop(node)
    }
  })

  it('default flush: every write made before the last completed flush is readable after the restart', async () => {
    const config = writeConfig('flush', ['flush-max-ms 100'])
    let node = await startNode(config)
    const client = await connect(node.port)
    const flushed: number[] = []
    for (let i = 0; i < 2000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => client.put(key(i + j), { v: i + j })))
      for (let j = 0; j < 50; j++) flushed.push(i + j)
    }
    // Wait until a flush has put those writes on disk (records are appended, and flushed, in order).
    await untilOnDisk(join(dir, 'flush.dat'), flushed[flushed.length - 1]!)
    let writing = true
    const more = (async () => {
      for (let i = 2000; writing; i++) await client.put(key(i), { v: i }).catch(() => {})
    })()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await kill9(node)
    writing = false
    await more
    client.close()
    node = await startNode(config)
    try {
      await expectAll(node.port, flushed)
    } finally {
      await stop(node)
    }
  })
})
