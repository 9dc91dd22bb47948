// `aerolite cluster up/down` as a user runs them: real etcd and node processes, the state file,
// and every process gone after `down`. Whatever a failing test leaves running is killed in after().
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseInfoResponse } from '@aerolite/protocol'
import { alive, portFree, type ClusterState } from '../src/cluster-processes.ts'
import { requestInfo } from '../src/info-request.ts'
import { SERVING_NODE_FLAGS } from '../src/serving-node-flags.ts'
import { freePort, killAll, lines, runCli } from './cli-process.ts'

let tmp = ''

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'aerolite-cluster-cli-'))
})

after(() => {
  killAll()
  // `up` detaches its processes: kill by the PIDs it recorded, in case a test failed before `down`.
  for (const name of existsSync(tmp) ? ['up', 'failed-up'] : []) {
    const path = join(tmp, name, 'cluster.json')
    if (!existsSync(path)) continue
    const state = JSON.parse(readFileSync(path, 'utf8')) as ClusterState
    for (const p of [...state.nodes, state.etcd]) {
      if (p !== undefined && alive(p.pid)) process.kill(p.pid, 'SIGKILL')
    }
  }
  rmSync(tmp, { recursive: true, force: true })
})

function etcdInstalled(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'etcd')))
}

/** `count` consecutive free ports on loopback (bounded attempts). */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort()
    if (first + count - 1 > 65535) continue
    let free = true
    for (let i = 1; i < count && free; i++) free = await portFree('127.0.0.1', first + i)
    if (free) return first
  }
  throw new Error(`no ${count} consecutive free ports found`)
}

function assertOneErrorLine(result: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`)
  assert.equal(result.stdout, '')
  assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${JSON.stringify(result.stderr)}`)
  assert.match(result.stderr, /^aerolite: /)
  assert.match(result.stderr, pattern)
}

describe('aerolite cluster', () => {
  test('usage errors exit 2 with one line naming the problem', async () => {
    assertOneErrorLine(await runCli(['cluster']), 2, /needs an action: up or down/)
    assertOneErrorLine(await runCli(['cluster', 'sideways']), 2, /unknown cluster action "sideways"/)
    assertOneErrorLine(await runCli(['cluster', 'up', '--nodes', '0']), 2, /--nodes "0" is not a positive whole number/)
    assertOneErrorLine(await runCli(['cluster', 'up', '--nodes', '2', '--replication-factor', '3']), 2, /--replication-factor 3 is more than the 2 node/)
    assertOneErrorLine(await runCli(['cluster', 'up', '--port', '65535', '--nodes', '2']), 2, /must lie within 1\.\.65535/)
    assertOneErrorLine(await runCli(['cluster', 'down', '--nodes', '3']), 2, /--nodes is an option of "cluster up"/)
  })

  test('--help lists both actions', async () => {
    const result = await runCli(['cluster', '--help'])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /aerolite cluster up/)
    assert.match(result.stdout, /aerolite cluster down/)
  })

  test('up without etcd on PATH says how to install it and starts nothing', async () => {
    const dir = join(tmp, 'no-etcd')
    // An empty PATH: node itself runs by its absolute path.
    const result = await runCli(['cluster', 'up', '--data-dir', dir], { env: { ...process.env, PATH: join(tmp, 'empty-path') } })
    assertOneErrorLine(result, 1, /etcd is not on PATH: install it with "apt-get install etcd-server".*etcd-io\/etcd\/releases/)
    assert.equal(existsSync(join(dir, 'cluster.json')), false)
  })

  test('down without a recorded cluster exits 1 naming the state file', async () => {
    assertOneErrorLine(await runCli(['cluster', 'down', '--data-dir', join(tmp, 'nothing')]), 1, /no cluster is recorded in .*cluster\.json does not exist/)
  })

  test('up starts etcd and three nodes that form a stable cluster; down stops every process', { skip: !etcdInstalled() && 'etcd is not installed', timeout: 90_000 }, async () => {
    const dir = join(tmp, 'up')
    const port = await freePortRange(3)
    const result = await runCli(['cluster', 'up', '--nodes', '3', '--port', String(port), '--data-dir', dir], { timeoutMs: 60_000 })
    assert.equal(result.code, 0, `stdout: ${result.stdout}\nstderr: ${result.stderr}`)
    const out = lines(result.stdout)
    for (let i = 0; i < 3; i++) assert.equal(out[i], `node ${i + 1}: 127.0.0.1:${port + i}  log ${join(dir, `node-${i + 1}.log`)}`)
    assert.match(out[3]!, /^cluster of 3 nodes stable \(cluster key [0-9A-F]+, replication factor 2\) after \d+ ms$/)

    const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterState
    const pids = [state.etcd!.pid, ...state.nodes.map((n) => n.pid)]
    assert.equal(pids.length, 4)
    assert.ok(pids.every(alive), 'etcd and the nodes outlive `up`')
    for (const node of state.nodes) {
      const argv = readFileSync(`/proc/${node.pid}/cmdline`, 'utf8').split('\0')
      for (const flag of SERVING_NODE_FLAGS) assert.ok(argv.includes(flag), `node ${node.index + 1} runs with ${flag}: ${argv.join(' ')}`)
    }
    const keys = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const answers = parseInfoResponse(await requestInfo('127.0.0.1', port + i, ['cluster-stable:size=3', 'namespace/test'], 5000))
      keys.add(answers.get('cluster-stable:size=3')!)
      assert.match(answers.get('namespace/test')!, /(^|;)replication-factor=2(;|$)/)
      assert.match(readFileSync(join(dir, `node-${i + 1}.log`), 'utf8'), /"msg":"ready"/)
    }
    assert.equal(keys.size, 1, 'one cluster key on every node')

    const again = await runCli(['cluster', 'up', '--nodes', '3', '--port', String(port), '--data-dir', dir])
    assertOneErrorLine(again, 1, /still running: stop it with "aerolite cluster down --data-dir /)

    const stopped = await runCli(['cluster', 'down', '--data-dir', dir], { timeoutMs: 30_000 })
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.deepEqual(lines(stopped.stdout).map((l) => l.replace(/^.*: /, '')), ['stopped', 'stopped', 'stopped', 'stopped'], stopped.stdout)
    assert.ok(pids.every((pid) => !alive(pid)), 'no process of the cluster is left')
    assert.equal(existsSync(join(dir, 'cluster.json')), false)
    for (let i = 0; i < 3; i++) assert.ok(await portFree('127.0.0.1', port + i), `port ${port + i} is free again`)
  })

  test('an up that fails midway stops every process it started', { skip: !etcdInstalled() && 'etcd is not installed', timeout: 60_000 }, async () => {
    const dir = join(tmp, 'failed-up')
    const port = await freePortRange(2)
    // The second node dies as soon as it is recorded: up fails after starting etcd and both nodes.
    const running = runCli(['cluster', 'up', '--nodes', '2', '--port', String(port), '--data-dir', dir], { timeoutMs: 45_000 })
    const statePath = join(dir, 'cluster.json')
    const deadline = Date.now() + 30_000
    for (;;) {
      const recorded = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as ClusterState).nodes[1] : undefined
      if (recorded !== undefined) {
        process.kill(recorded.pid, 'SIGKILL')
        break
      }
      assert.ok(Date.now() < deadline, 'up recorded its second node')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const result = await running
    assert.equal(result.code, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`)
    assert.match(result.stderr, /^aerolite: node 2 /m)
    const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterState
    const pids = [state.etcd!.pid, ...state.nodes.map((n) => n.pid)]
    assert.equal(pids.length, 3, 'etcd and both nodes were started')
    assert.ok(pids.every((pid) => !alive(pid)), 'none of them is left running')
    for (let i = 0; i < 2; i++) assert.ok(await portFree('127.0.0.1', port + i), `port ${port + i} is free again`)
  })
})
