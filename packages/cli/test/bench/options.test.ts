import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError } from '../../src/args.ts'
import { BENCH_USAGE, parseBenchOptions } from '../../src/bench/options.ts'

/** Parses argv, expects a UsageError, returns its message after checking it is one line. */
function problem(argv: string[]): string {
  try {
    parseBenchOptions(argv)
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError for ${argv.join(' ')}, got ${String(err)}`)
    assert.ok(!err.message.includes('\n'), `one line: ${JSON.stringify(err.message)}`)
    return err.message
  }
  assert.fail(`expected a UsageError for ${argv.join(' ')}`)
}

describe('bench options: defaults', () => {
  test('no arguments: RU,50 on test/testset at 127.0.0.1:3000, 100k keys, 1 KiB blob, 16 connections, 10 s', () => {
    const o = parseBenchOptions([])
    assert.equal(o.host, '127.0.0.1')
    assert.equal(o.port, 3000)
    assert.equal(o.namespace, 'test')
    assert.equal(o.set, 'testset')
    assert.deepEqual(o.workload, { kind: 'read-update', readPercent: 50 })
    assert.equal(o.keys, 100_000)
    assert.equal(o.keyStart, 1)
    assert.deepEqual(o.bins, [{ name: 'bin1', kind: 'blob', bytes: 1024 }])
    assert.deepEqual(o.distribution, { kind: 'uniform' })
    assert.equal(o.connections, 16)
    assert.equal(o.inflight, 1)
    assert.equal(o.durationSeconds, 10)
    assert.equal(o.ops, undefined)
    assert.equal(o.ratePerSecond, 0)
    assert.equal(o.timeoutMs, 1000)
    assert.equal(o.sendKey, false)
    assert.equal(o.seed, 1)
    assert.equal(o.jsonFile, undefined)
    assert.equal(o.serverPid, undefined)
    assert.equal(o.help, false)
  })

  test('an insert has no time limit unless given; --ops alone removes the default duration', () => {
    assert.equal(parseBenchOptions(['--workload', 'I']).durationSeconds, undefined)
    assert.equal(parseBenchOptions(['--workload', 'I', '--duration', '5']).durationSeconds, 5)
    const o = parseBenchOptions(['--ops', '5000'])
    assert.equal(o.ops, 5000)
    assert.equal(o.durationSeconds, undefined)
  })
})

describe('bench options: every option is read', () => {
  test('all value flags and switches, in both --flag value and --flag=value forms', () => {
    const o = parseBenchOptions([
      '--host', 'db.local', '--port=3100', '--namespace', 'bar', '--set', '', '--workload', 'RMW,25', '--keys', '2000',
      '--key-start', '0', '--bins', 'I,S20,B8', '--distribution', 'hot,80,20', '--connections', '4', '--inflight', '8',
      '--duration', '2.5', '--ops', '9000', '--rate', '1500', '--timeout', '250', '--send-key', '--seed', '42',
      '--json', '/tmp/x.json', '--server-pid', '1234', '--help',
    ])
    assert.equal(o.host, 'db.local')
    assert.equal(o.port, 3100)
    assert.equal(o.namespace, 'bar')
    assert.equal(o.set, '')
    assert.deepEqual(o.workload, { kind: 'read-modify-write', readPercent: 25 })
    assert.equal(o.keys, 2000)
    assert.equal(o.keyStart, 0)
    assert.deepEqual(o.bins, [
      { name: 'bin1', kind: 'integer', bytes: 8 },
      { name: 'bin2', kind: 'string', bytes: 20 },
      { name: 'bin3', kind: 'blob', bytes: 8 },
    ])
    assert.deepEqual(o.distribution, { kind: 'hot', opsPercent: 80, keysPercent: 20 })
    assert.equal(o.connections, 4)
    assert.equal(o.inflight, 8)
    assert.equal(o.durationSeconds, 2.5)
    assert.equal(o.ops, 9000)
    assert.equal(o.ratePerSecond, 1500)
    assert.equal(o.timeoutMs, 250)
    assert.equal(o.sendKey, true)
    assert.equal(o.seed, 42)
    assert.equal(o.jsonFile, '/tmp/x.json')
    assert.equal(o.serverPid, 1234)
    assert.equal(o.help, true)
  })

  test('workloads: I, RU,<read%>, RMW and RMW,<read%>', () => {
    assert.deepEqual(parseBenchOptions(['--workload', 'I']).workload, { kind: 'insert' })
    assert.deepEqual(parseBenchOptions(['--workload', 'RU,0']).workload, { kind: 'read-update', readPercent: 0 })
    assert.deepEqual(parseBenchOptions(['--workload', 'RU,100']).workload, { kind: 'read-update', readPercent: 100 })
    assert.deepEqual(parseBenchOptions(['--workload', 'RU,99.5']).workload, { kind: 'read-update', readPercent: 99.5 })
    assert.deepEqual(parseBenchOptions(['--workload', 'RMW']).workload, { kind: 'read-modify-write', readPercent: 0 })
  })

  test('distributions: uniform, hot (90/10), hot,<ops%>,<keys%>', () => {
    assert.deepEqual(parseBenchOptions(['--distribution', 'hot']).distribution, { kind: 'hot', opsPercent: 90, keysPercent: 10 })
    assert.deepEqual(parseBenchOptions(['--distribution', 'hot,99,1']).distribution, { kind: 'hot', opsPercent: 99, keysPercent: 1 })
  })

  test('the usage text names every option', () => {
    for (const flag of ['host', 'port', 'namespace', 'set', 'workload', 'keys', 'key-start', 'bins', 'distribution', 'connections', 'inflight', 'duration', 'ops', 'rate', 'timeout', 'send-key', 'seed', 'json', 'server-pid']) {
      assert.match(BENCH_USAGE, new RegExp(`--${flag}\\b`), flag)
    }
  })
})

describe('bench options: bad values give one clear line naming the flag and the value', () => {
  const cases: [string[], RegExp][] = [
    [['--port', '0'], /^--port "0" is not an integer from 1 to 65535$/],
    [['--port', '70000'], /--port "70000"/],
    [['--port', 'x'], /--port "x"/],
    [['--host', ''], /--host needs a non-empty value/],
    [['--namespace', ''], /--namespace "" must be 1 to 31 bytes/],
    [['--namespace', 'n'.repeat(32)], /--namespace .* must be 1 to 31 bytes/],
    [['--set', 's'.repeat(64)], /--set .* must be 0 to 63 bytes/],
    [['--workload', 'X'], /^--workload "X" is not I, RU,<read%> or RMW\[,<read%>\]$/],
    [['--workload', 'RU'], /--workload "RU" is not/],
    [['--workload', 'RU,101'], /--workload "RU,101": the read percentage must be a number from 0 to 100/],
    [['--workload', 'RU,-1'], /--workload "RU,-1": the read percentage/],
    [['--workload', 'RMW,abc'], /--workload "RMW,abc": the read percentage/],
    [['--keys', '0'], /--keys "0" is not an integer from 1 to 4294967296/],
    [['--keys', '1.5'], /--keys "1.5"/],
    [['--key-start', '-1'], /--key-start "-1"/],
    [['--key-start', '9007199254740991', '--keys', '2'], /--key-start 9007199254740991 with --keys 2 goes past/],
    [['--bins', ''], /--bins "": bin "" is not I, S<bytes> or B<bytes>/],
    [['--bins', 'I,X5'], /--bins "I,X5": bin "X5" is not I, S<bytes> or B<bytes>/],
    [['--bins', 'S0'], /--bins "S0": bin "S0" size must be 1\.\.1048576 bytes/],
    [['--bins', 'B2000000'], /size must be/],
    [['--bins', Array(65).fill('I').join(',')], /at most 64 bins, got 65/],
    [['--distribution', 'zipf'], /--distribution "zipf" is not uniform, hot or hot,<ops%>,<keys%>/],
    [['--distribution', 'hot,90,0'], /--distribution "hot,90,0": ops% must be 0\.\.100 and keys% more than 0/],
    [['--distribution', 'hot,190,10'], /--distribution "hot,190,10"/],
    [['--connections', '0'], /--connections "0" is not an integer from 1 to 10000/],
    [['--inflight', '0'], /--inflight "0"/],
    [['--connections', '1000', '--inflight', '1000'], /--connections 1000 times --inflight 1000 is more than 100000 commands in flight/],
    [['--duration', '0'], /--duration "0" is not a positive number of seconds/],
    [['--duration', '5s'], /--duration "5s"/],
    [['--ops', '0'], /--ops "0"/],
    [['--rate', '-5'], /--rate "-5" is not an integer from 0/],
    [['--timeout', '0'], /--timeout "0" is not an integer from 1/],
    [['--seed', 'abc'], /--seed "abc"/],
    [['--json', ''], /--json needs a non-empty value/],
    [['--server-pid', '0'], /--server-pid "0"/],
    [['--bogus', '1'], /^unknown option --bogus \(known: /],
    [['--send-key=yes'], /--send-key takes no value/],
    [['--keys'], /--keys needs a value/],
    [['extra'], /bench takes no arguments, got "extra"/],
  ]
  for (const [argv, pattern] of cases) {
    test(argv.join(' ').slice(0, 60) || '(empty)', () => {
      assert.match(problem(argv), pattern)
    })
  }
})
