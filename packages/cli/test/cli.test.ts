// The aerolite command as a user runs it: a child process, its exit code, stdout and stderr.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_WAIT_MS, READY_LINE, freePort, killAll, lines, runCli, settled, startNode, stopNode, within, type Finished, type RunningNode } from './cli-process.ts'

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

let tmp = ''

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'aerolite-cli-test-'))
})

after(() => {
  killAll()
  rmSync(tmp, { recursive: true, force: true })
})

function writeConfig(name: string, text: string): string {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr starting "aerolite: ". */
function assertUsageError(result: Finished, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`)
  assert.equal(result.stdout, '')
  assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${JSON.stringify(result.stderr)}`)
  assert.match(result.stderr, /^aerolite: /)
  assert.match(result.stderr, pattern)
}

/** A failure: exit 1, nothing on stdout, and the last stderr line is "aerolite: <message>". */
function assertFailure(result: Finished, pattern: RegExp): string {
  assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`)
  assert.equal(result.stdout, '')
  const last = lines(result.stderr).at(-1) ?? ''
  assert.match(last, /^aerolite: /, `stderr: ${result.stderr}`)
  assert.match(last, pattern)
  return last
}

describe('aerolite (top level)', () => {
  test('--help prints the usage with both commands and exits 0', async () => {
    const result = await runCli(['--help'])
    assert.equal(result.code, 0)
    assert.equal(result.stderr, '')
    assert.match(result.stdout, /^usage: aerolite <command>/)
    assert.match(result.stdout, /^ {2}start /m)
    assert.match(result.stdout, /^ {2}info /m)
  })

  test('-h and help are the same as --help', async () => {
    const help = await runCli(['--help'])
    for (const alias of ['-h', 'help']) {
      const result = await runCli([alias])
      assert.equal(result.code, 0)
      assert.equal(result.stdout, help.stdout)
    }
  })

  test('--version prints "aerolite <version>" matching packages/cli/package.json', async () => {
    const result = await runCli(['--version'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout, `aerolite ${VERSION}\n`)
    assert.equal(result.stderr, '')
  })

  test('no command is a usage error: the usage on stderr, exit 2', async () => {
    const result = await runCli([])
    assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^usage: aerolite <command>/)
  })

  test('an unknown command exits 2 with a one-line message naming it', async () => {
    const result = await runCli(['frobnicate'])
    assertUsageError(result, /unknown command "frobnicate"/)
    assert.match(result.stderr, /start, info/)
  })
})

describe('aerolite start (usage)', () => {
  test('--help lists every option and exits 0 without starting a node', async () => {
    const result = await runCli(['start', '--help'])
    assert.equal(result.code, 0)
    assert.equal(result.stderr, '')
    assert.match(result.stdout, /^usage: aerolite start/)
    for (const flag of ['--port', '--address', '--config', '--namespace', '--log-level', '--etcd', '--fabric-port', '--rack-id', '--http-port']) assert.ok(result.stdout.includes(flag), flag)
    assert.doesNotMatch(result.stdout, /ready on/)
  })

  test('--version prints the version', async () => {
    const result = await runCli(['start', '--version'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout, `aerolite ${VERSION}\n`)
  })

  test('--port 70000 is refused as usage (exit 2) naming the value', async () => {
    assertUsageError(await runCli(['start', '--port', '70000']), /--port "70000" is not a port \(0\.\.65535\)/)
  })

  test('--port with a non-number is refused', async () => {
    assertUsageError(await runCli(['start', '--port=abc']), /--port "abc"/)
  })

  test('--log-level nonsense is refused naming the value and the allowed levels', async () => {
    const result = await runCli(['start', '--log-level', 'nonsense'])
    assertUsageError(result, /--log-level "nonsense"/)
    assert.match(result.stderr, /trace, debug, info, warn, error, fatal, silent/)
  })

  test('an unknown option is refused naming it', async () => {
    assertUsageError(await runCli(['start', '--prot', '3000']), /unknown option --prot\b/)
  })

  test('a flag without its value is refused', async () => {
    assertUsageError(await runCli(['start', '--port']), /--port needs a value/)
  })

  test('positional arguments are refused', async () => {
    assertUsageError(await runCli(['start', 'now']), /start takes no arguments, got "now"/)
  })

  test('--fabric-port 70000 and --rack-id 1000001 are refused as usage naming the value', async () => {
    assertUsageError(await runCli(['start', '--fabric-port', '70000']), /--fabric-port "70000" is not a port \(0\.\.65535\)/)
    assertUsageError(await runCli(['start', '--rack-id', '1000001']), /--rack-id "1000001" is not a rack id \(0\.\.1000000\)/)
    assertUsageError(await runCli(['start', '--rack-id=-1']), /--rack-id "-1"/)
  })

  test('--etcd with an empty endpoint is refused as usage; one that is not HOST:PORT exits 1 naming it', async () => {
    assertUsageError(await runCli(['start', '--etcd', '127.0.0.1:2379,']), /--etcd has an empty endpoint/)
    assertFailure(await runCli(['start', '--port', '0', '--etcd', '127.0.0.1']), /etcd endpoint "127\.0\.0\.1" is not HOST:PORT/)
  })

  test('--namespace "" is refused with a clear message', async () => {
    assertFailure(await runCli(['start', '--port', '0', '--namespace', '']), /namespace "" must be 1 to 31 bytes/)
  })
})

describe('aerolite start --config errors', () => {
  test('an unknown key exits 1 with one line naming the file and the line', async () => {
    const file = writeConfig('unknown-key.conf', 'service {\n  proto-fd-max 100\n}\nnamespace test {\n  storage-engine memory\n  bogus-key 5\n}\n')
    const result = await runCli(['start', '--port', '0', '--config', file])
    assert.equal(lines(result.stderr).length, 1, `one line on stderr: ${result.stderr}`)
    const message = assertFailure(result, /unknown key "bogus-key"/)
    assert.ok(message.includes(`${file}:6:`), `file:line in: ${message}`)
  })

  test('an unclosed block exits 1 naming the file and the line it was opened on', async () => {
    const file = writeConfig('unclosed.conf', 'namespace test {\n  storage-engine memory\n')
    const result = await runCli(['start', '--port', '0', '--config', file])
    assert.equal(lines(result.stderr).length, 1, `one line on stderr: ${result.stderr}`)
    const message = assertFailure(result, /missing "}"/)
    assert.match(message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:`))
    assert.match(message, /opened on line 1/)
  })

  test('a bad value exits 1 naming the file, the line, the key and the value', async () => {
    const file = writeConfig('bad-value.conf', 'namespace test {\n  storage-engine memory {\n    data-size lots\n  }\n}\n')
    const result = await runCli(['start', '--port', '0', '--config', file])
    assert.equal(lines(result.stderr).length, 1, `one line on stderr: ${result.stderr}`)
    const message = assertFailure(result, /data-size/)
    assert.ok(message.includes(`${file}:3:`), `file:line in: ${message}`)
    assert.match(message, /lots/)
  })

  test('a missing file exits 1 naming the file', async () => {
    const file = join(tmp, 'does-not-exist.conf')
    const result = await runCli(['start', '--config', file])
    assert.equal(lines(result.stderr).length, 1, `one line on stderr: ${result.stderr}`)
    assertFailure(result, /cannot read config file/)
    assert.ok(result.stderr.includes(file))
  })
})

describe('aerolite start and info against a running node', () => {
  let node: RunningNode

  before(async () => {
    node = await startNode(['--port', '0', '--log-level', 'warn'])
  })

  after(async () => {
    if (node !== undefined) await stopNode(node).catch(() => node.child.kill('SIGKILL'))
  })

  test('start --port 0 prints one ready line on stdout naming host, port, node id and namespaces', async () => {
    const match = READY_LINE.exec(node.readyLine)!
    assert.equal(match[1], '127.0.0.1')
    assert.ok(node.port > 0 && node.port <= 65535)
    assert.equal(match[4], 'test')
    assert.deepEqual(lines(node.output().stdout), [node.readyLine])
  })

  test('info build status namespaces prints one "command<TAB>value" line each and exits 0', async () => {
    const result = await runCli(['info', '--port', String(node.port), 'build', 'status', 'namespaces'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    const out = lines(result.stdout)
    assert.equal(out.length, 3, result.stdout)
    assert.match(out[0]!, /^build\t\d+\.\d+\.\d+\.\d+$/)
    assert.equal(out[1], 'status\tok')
    assert.equal(out[2], 'namespaces\ttest')
  })

  test('info --host and --port=N forms work, and node matches the ready line', async () => {
    const result = await runCli(['info', '--host', '127.0.0.1', `--port=${node.port}`, 'node'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, `node\t${READY_LINE.exec(node.readyLine)![3]}\n`)
  })

  test('info namespace/test answers key=value statistics', async () => {
    const result = await runCli(['info', '--port', String(node.port), 'namespace/test'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^namespace\/test\t.*\bobjects=\d+/)
  })

  test('info with an unknown command prints the ERROR answer and exits 1', async () => {
    const result = await runCli(['info', '--port', String(node.port), 'no-such-command'])
    assert.equal(result.code, 1)
    assert.equal(result.stdout, 'no-such-command\tERROR:4:unrecognized command\n')
  })

  test('info with one good and one unknown command prints both answers and exits 1', async () => {
    const result = await runCli(['info', '--port', String(node.port), 'status', 'no-such-command'])
    assert.equal(result.code, 1)
    assert.deepEqual(lines(result.stdout), ['status\tok', 'no-such-command\tERROR:4:unrecognized command'])
  })

  test('starting a second node on the same port exits 1 with a message naming the address', async () => {
    const result = await runCli(['start', '--port', String(node.port), '--log-level', 'silent'])
    assertFailure(result, new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${node.port}`))
  })

  test('under load the young generation stays the size the start left it (heap-tuning.ts)', async () => {
    const youngBytes = async (): Promise<number> => {
      const result = await runCli(['info', '--port', String(node.port), 'statistics'])
      return Number(/\bheap_young_generation_bytes=(\d+)/.exec(result.stdout)?.[1])
    }
    const atStart = await youngBytes()
    // 4-8 MiB after a start (with or without the code cache, after a rebuild): below V8's 32 MiB, so growth would show.
    assert.ok(atStart <= 16 * 1024 * 1024, `${atStart} bytes after the start`)
    const load = await runCli(['bench', '--port', String(node.port), '--workload', 'I', '--keys', '20000', '--bins', 'B1024', '--connections', '20', '--duration', '5', '--ops', '20000'])
    assert.equal(load.code, 0, load.stderr)
    // Left to grow, it is 16 MiB after this load.
    assert.equal(await youngBytes(), atStart)
  })
})

describe('aerolite start --http-port', () => {
  test('prints where HTTP listens after the ready line; /health answers; SIGTERM still exits 0', async () => {
    const node = await startNode(['--port', '0', '--http-port', '0', '--log-level', 'warn'])
    try {
      const http = await within(MAX_WAIT_MS, 'the http line', (async () => {
        for (;;) {
          const line = lines(node.output().stdout)[1]
          if (line !== undefined) return line
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })())
      const match = /^aerolite http on 127\.0\.0\.1:(\d+): \/metrics, \/health, \/ready$/.exec(http)
      assert.ok(match !== null, http)
      const health = await fetch(`http://127.0.0.1:${match[1]}/health`)
      assert.equal(health.status, 200)
    } finally {
      assert.equal((await stopNode(node)).code, 0)
    }
  })

  test('an HTTP port in use exits 1 with one line naming it', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as AddressInfo
    try {
      const result = await runCli(['start', '--port', '0', '--http-port', String(port), '--log-level', 'silent'])
      assertFailure(result, new RegExp(`^aerolite: cannot listen for HTTP on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
    } finally {
      taken.close()
    }
  })
})

describe('aerolite info (usage and unreachable nodes)', () => {
  test('--help lists the options and exits 0', async () => {
    const result = await runCli(['info', '--help'])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /^usage: aerolite info/)
    for (const flag of ['--host', '--port', '--timeout']) assert.ok(result.stdout.includes(flag), flag)
  })

  test('--version prints the version', async () => {
    const result = await runCli(['info', '--version'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout, `aerolite ${VERSION}\n`)
  })

  test('no COMMAND is a usage error', async () => {
    assertUsageError(await runCli(['info']), /info needs at least one COMMAND/)
  })

  test('--timeout 0 and --port 70000 are usage errors', async () => {
    assertUsageError(await runCli(['info', '--timeout', '0', 'build']), /--timeout "0"/)
    assertUsageError(await runCli(['info', '--port', '70000', 'build']), /--port "70000" is not a port/)
  })

  test('a closed port exits 1 with one line saying which address could not be reached', async () => {
    const port = await freePort()
    const result = await runCli(['info', '--port', String(port), 'build'])
    assert.equal(lines(result.stderr).length, 1, result.stderr)
    assertFailure(result, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`))
  })
})

describe('aerolite start lifecycle', () => {
  test('SIGTERM drains and exits 0 within a few seconds, with an idle client connected', async () => {
    const node = await startNode(['--port', '0', '--log-level', 'info'])
    await settled(node)
    const socket = connect({ host: node.host, port: node.port })
    await within(5000, 'a client connection', new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('error', reject)
    }))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.on('error', () => {})
    const startedMs = performance.now()
    const result = await stopNode(node, 5000)
    const tookMs = performance.now() - startedMs
    assert.equal(result.code, 0, `exit code; stderr: ${result.stderr}`)
    assert.equal(result.signal, null)
    assert.ok(tookMs < 5000, `drain took ${tookMs} ms`)
    // The server closed the client's connection rather than leaving it hanging.
    await within(2000, 'the client connection to close', closed)
    // stdout still holds the ready line only; the log (stderr) tells the story.
    assert.deepEqual(lines(result.stdout), [node.readyLine])
    // Both lines, in order: the process ends after the log's last write, not in the middle of one.
    const messages = lines(result.stderr).map((line) => (JSON.parse(line) as { msg: string }).msg)
    assert.deepEqual(messages.filter((msg) => msg === 'draining' || msg === 'stopped'), ['draining', 'stopped'])
  })

  test('SIGTERM sent the moment the ready line arrives still drains and exits 0', async () => {
    const outcomes: string[] = []
    for (let i = 0; i < 5; i++) {
      const node = await startNode(['--port', '0', '--log-level', 'silent'], (child) => child.kill('SIGTERM'))
      const result = await stopNode(node, 5000)
      outcomes.push(result.code === 0 ? 'exit 0' : `code ${result.code} signal ${result.signal}`)
    }
    assert.deepEqual(outcomes, Array(5).fill('exit 0'))
  })

  test('SIGINT drains and exits 0 too', async () => {
    const node = await startNode(['--port', '0', '--log-level', 'silent'])
    await settled(node)
    node.child.kill('SIGINT')
    const result = await stopNode(node, 5000)
    assert.equal(result.code, 0, result.stderr)
  })

  test('--namespace serves one in-memory namespace of that name', async () => {
    const node = await startNode(['--port', '0', '--namespace', 'users', '--log-level', 'silent'])
    try {
      assert.match(node.readyLine, / namespaces users \(/)
      const result = await runCli(['info', '--port', String(node.port), 'namespaces'])
      assert.equal(result.stdout, 'namespaces\tusers\n')
    } finally {
      await stopNode(node)
    }
  })

  test('--config with a valid file serves its namespaces; --port overrides the file', async () => {
    const file = writeConfig('good.conf', [
      'service {',
      '  cluster-name cli-test',
      '}',
      'logging {',
      '  console {',
      '    context any warning',
      '  }',
      '}',
      'network {',
      '  service {',
      '    address 127.0.0.1',
      '    port 1',
      '  }',
      '}',
      'namespace alpha {',
      '  default-ttl 1h',
      '  storage-engine memory {',
      '    data-size 64M',
      '  }',
      '}',
      'namespace beta {',
      '  storage-engine memory',
      '}',
      '',
    ].join('\n'))
    const node = await startNode(['--port', '0', '--config', file])
    try {
      assert.notEqual(node.port, 1)
      assert.match(node.readyLine, / namespaces alpha, beta \(/)
      const result = await runCli(['info', '--port', String(node.port), 'namespaces', 'cluster-name'])
      assert.deepEqual(lines(result.stdout), ['namespaces\talpha;beta', 'cluster-name\tcli-test'])
    } finally {
      await stopNode(node)
    }
  })

  test('the command works from any working directory (its bundle is found relative to the package, not the cwd)', async () => {
    const result = await runCli(['--version'], { cwd: tmp })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, `aerolite ${VERSION}\n`)
  })

  test('--address with a name that does not resolve exits 1 with one clear line', async () => {
    const result = await runCli(['start', '--port', '0', '--address', 'no-such-host.invalid', '--log-level', 'silent'])
    assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`)
    assertFailure(result, /no-such-host\.invalid/)
  })
})
