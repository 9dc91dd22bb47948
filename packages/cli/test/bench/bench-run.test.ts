// Short runs against real nodes: a node in a worker thread for the load loop itself, and the
// `aerolite bench` command against a node process. Every run is a few thousand operations.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type EmbeddedServer } from '@aerolite/server'
import { encodeBitmap } from '@aerolite/client'
import { FrameParser, ProtoType, encodeFrame, formatInfoResponse, parseInfoRequest } from '@aerolite/protocol'
import { parseBenchOptions } from '../../src/bench/options.ts'
import { runBench, type IntervalReport } from '../../src/bench/runner.ts'
import { progressLine, summaryText } from '../../src/bench/report.ts'
import { freePort, killAll, lines, runCli, startNode, stopNode, type RunningNode } from '../cli-process.ts'

let server: EmbeddedServer
let tmp = ''

before(async () => {
  server = await startServer({ namespace: 'test' })
  tmp = mkdtempSync(join(tmpdir(), 'aerolite-bench-test-'))
})

after(async () => {
  await server.stop()
  killAll()
  rmSync(tmp, { recursive: true, force: true })
})

function run(argv: string[]) {
  const options = parseBenchOptions(['--host', server.host, '--port', String(server.port), ...argv])
  const reports: IntervalReport[] = []
  return runBench(options, (r) => reports.push(r)).then((result) => ({ result, reports, options }))
}

describe('the load loop against a node', () => {
  test('I writes every key once; RU,50 then reads and updates only existing keys', async () => {
    const insert = await run(['--workload', 'I', '--keys', '2000', '--key-start', '100', '--bins', 'B64', '--connections', '4', '--inflight', '2'])
    assert.equal(insert.result.total.writes, 2000)
    assert.equal(insert.result.total.reads, 0)
    assert.equal(insert.result.total.errors, 0)
    assert.equal(insert.result.total.writeLatencyNs.count, 2000)
    assert.deepEqual(insert.result.cluster.nodes.map((n) => n.port), [server.port])

    const mixed = await run(['--workload', 'RU,50', '--keys', '2000', '--key-start', '100', '--bins', 'B64', '--ops', '3000', '--connections', '3'])
    const t = mixed.result.total
    assert.equal(t.reads + t.writes, 3000)
    assert.equal(t.errors, 0)
    assert.equal(t.timeouts, 0)
    assert.equal(t.readsNotFound, 0, 'every key was inserted')
    assert.ok(t.reads > 1200 && t.writes > 1200, `reads ${t.reads} writes ${t.writes}`)
    assert.ok(mixed.reports.length >= 1)
    assert.match(summaryText(mixed.result, mixed.options), /^summary: 3000 ops in /)
  })

  test('RMW with integer, string and blob bins, the key sent, a hot distribution', async () => {
    const { result } = await run(['--workload', 'RMW,20', '--set', 'rmw', '--keys', '500', '--bins', 'I,S20,B16', '--send-key', '--distribution', 'hot,90,10', '--ops', '1500', '--connections', '2', '--inflight', '4'])
    assert.equal(result.total.reads + result.total.writes, 1500)
    assert.equal(result.total.errors, 0, JSON.stringify([...result.total.errorCodes]))
  })

  test('--rate holds the pace', async () => {
    const started = performance.now()
    const { result } = await run(['--workload', 'RU,100', '--keys', '100', '--ops', '300', '--rate', '1000', '--connections', '2'])
    assert.equal(result.total.reads, 300)
    assert.ok(performance.now() - started >= 280, 'about 0.3 s for 300 operations at 1000/s')
  })

  test('--duration ends a run on time', async () => {
    const started = performance.now()
    await run(['--workload', 'RU,90', '--keys', '100', '--duration', '0.3', '--connections', '2', '--rate', '2000'])
    const ms = performance.now() - started
    assert.ok(ms >= 290 && ms < 3000, `${ms} ms`)
  })

  test('a node that never answers: commands time out, connections are replaced, the run still ends', async () => {
    const silent = await silentNode()
    try {
      const options = parseBenchOptions(['--port', String(silent.port), '--workload', 'RU,50', '--ops', '6', '--timeout', '50', '--connections', '2'])
      const { total } = await runBench(options, () => {})
      assert.equal(total.timeouts, 6)
      assert.equal(total.reads + total.writes, 0)
    } finally {
      await new Promise<void>((r) => silent.server.close(() => r()))
    }
  })

  test('an unknown namespace is refused before anything is sent', async () => {
    await assert.rejects(run(['--namespace', 'nope', '--ops', '10']), /namespace "nope" is not served by the cluster at .* \(it serves: test\)/)
  })

  test('progress lines show reads/s, writes/s, errors, timeouts, p50 and p99', async () => {
    const { reports } = await run(['--workload', 'RU,50', '--keys', '100', '--ops', '200', '--connections', '1'])
    assert.match(progressLine(reports[0]!), /^ +\d+s  reads +\d+\/s  writes +\d+\/s  errors 0  timeouts 0  p50 \d+\.\d{3} ms  p99 \d+\.\d{3} ms\n$/)
  })
})

/** A node that answers info like a one-node cluster and never answers a command. */
async function silentNode(): Promise<{ server: Server; port: number }> {
  const info = new Map([['node', 'S1'], ['partition-generation', '1'], ['build', '8.1.0.0'], ['peers-clear-std', '1,3000,[]'], ['replicas', `test:0,1,${encodeBitmap(Array.from({ length: 4096 }, (_, i) => i))}`]])
  const silent = createServer((socket) => {
    const parser = new FrameParser(1 << 20)
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        if (frame.type === ProtoType.INFO) socket.write(encodeFrame(ProtoType.INFO, formatInfoResponse(parseInfoRequest(frame.body).map((line) => ({ line, value: info.get(line) ?? '' })))))
      }
    })
  })
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  return { server: silent, port: (silent.address() as { port: number }).port }
}

describe('aerolite bench (the command)', () => {
  let node: RunningNode

  before(async () => {
    node = await startNode(['--port', '0', '--log-level', 'warn'])
  })

  after(async () => {
    await stopNode(node)
  })

  test('runs, prints progress and a summary, writes --json with server CPU per op', async () => {
    const json = join(tmp, 'run.json')
    const result = await runCli(['bench', '--port', String(node.port), '--workload', 'I', '--keys', '3000', '--bins', 'I,S20', '--connections', '4', '--json', json, '--server-pid', String(node.child.pid)])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    const out = lines(result.stdout)
    assert.ok(out.some((l) => /^ +\d+s  reads/.test(l)), result.stdout)
    assert.ok(out.some((l) => /^summary: 3000 ops in /.test(l)), result.stdout)
    assert.ok(out.some((l) => /^latency ms +p50 +p90 +p99 +p99\.9 +max/.test(l)))
    assert.match(result.stdout, /CPU per op: generator [\d.]+ µs, server \(pid \d+\) [\d.]+ µs/)
    const report = JSON.parse(readFileSync(json, 'utf8'))
    assert.equal(report.totals.writes, 3000)
    assert.equal(report.totals.errors, 0)
    assert.equal(report.options.workload.kind, 'insert')
    assert.match(report.command, /^aerolite bench --port \d+ --workload I /)
    for (const p of ['p50', 'p90', 'p99', 'p999', 'max']) assert.equal(typeof report.latencyMs.all[p], 'number')
    assert.ok(report.latencyMs.all.p50 <= report.latencyMs.all.p99 && report.latencyMs.all.p99 <= report.latencyMs.all.max)
    assert.equal(typeof report.serverCpuMicrosPerOp, 'number')
    assert.ok(report.latencyHistogramNs.buckets.length > 0)
    assert.ok(report.intervals.length >= 1)
  })

  test('--help prints the usage; bad values exit 2 with one line; an unreachable node exits 1 with one line', async () => {
    const help = await runCli(['bench', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^usage: aerolite bench/)
    const bad = await runCli(['bench', '--workload', 'RU,150'])
    assert.equal(bad.code, 2)
    assert.equal(bad.stdout, '')
    assert.deepEqual(lines(bad.stderr), ['aerolite: --workload "RU,150": the read percentage must be a number from 0 to 100'])
    const port = await freePort()
    const down = await runCli(['bench', '--port', String(port), '--ops', '10'])
    assert.equal(down.code, 1)
    assert.equal(lines(down.stderr).length, 1)
    assert.match(down.stderr, new RegExp(`^aerolite: no node answered: cannot reach 127\\.0\\.0\\.1:${port}`))
    const top = await runCli(['--help'])
    assert.match(top.stdout, /^ {2}bench /m)
  })
})
