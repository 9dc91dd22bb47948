import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError, parseArgs, parsePort, type FlagSpec } from '../src/args.ts'

const SPEC: FlagSpec = { values: ['port', 'host', 'config'], switches: ['help', 'version'] }

/** Runs fn, expects a UsageError, and returns its message. */
function usageError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_USAGE')
    return err.message
  }
  assert.fail('expected a UsageError, nothing was thrown')
}

describe('parseArgs', () => {
  test('no arguments give empty results', () => {
    const args = parseArgs([], SPEC)
    assert.equal(args.flags.size, 0)
    assert.equal(args.switches.size, 0)
    assert.deepEqual(args.positional, [])
  })

  test('a value flag takes the next argument', () => {
    const args = parseArgs(['--port', '3100', '--host', 'db.local'], SPEC)
    assert.deepEqual([...args.flags], [['port', '3100'], ['host', 'db.local']])
    assert.deepEqual(args.positional, [])
  })

  test('--flag=value form', () => {
    const args = parseArgs(['--port=3100', '--config=/etc/aerospike/aerospike.conf'], SPEC)
    assert.equal(args.flags.get('port'), '3100')
    assert.equal(args.flags.get('config'), '/etc/aerospike/aerospike.conf')
  })

  test('--flag=value keeps everything after the first "=", including more "=" and an empty value', () => {
    assert.equal(parseArgs(['--host=a=b'], SPEC).flags.get('host'), 'a=b')
    assert.equal(parseArgs(['--host='], SPEC).flags.get('host'), '')
  })

  test('a later value replaces an earlier one', () => {
    assert.equal(parseArgs(['--port', '1', '--port=2'], SPEC).flags.get('port'), '2')
  })

  test('every value of a repeated flag is kept in order in lists', () => {
    const args = parseArgs(['--host', 'a', '--port', '1', '--host=b', '--host', 'c'], SPEC)
    assert.deepEqual(args.lists.get('host'), ['a', 'b', 'c'])
    assert.deepEqual(args.lists.get('port'), ['1'])
    assert.equal(args.lists.get('config'), undefined)
  })

  test('switches are collected', () => {
    const args = parseArgs(['--help', '--version'], SPEC)
    assert.deepEqual([...args.switches].sort(), ['help', 'version'])
    assert.equal(args.flags.size, 0)
  })

  test('a switch given a value is an error that names it', () => {
    assert.match(usageError(() => parseArgs(['--help=yes'], SPEC)), /^--help takes no value$/)
  })

  test('positional arguments keep their order and may mix with flags', () => {
    const args = parseArgs(['build', '--port', '3100', 'namespaces', 'sets/test'], SPEC)
    assert.deepEqual(args.positional, ['build', 'namespaces', 'sets/test'])
    assert.equal(args.flags.get('port'), '3100')
  })

  test('a single dash and "-x" words are positional, not flags', () => {
    assert.deepEqual(parseArgs(['-', '-v'], SPEC).positional, ['-', '-v'])
  })

  test('an unknown flag is an error that names the flag and lists the known ones', () => {
    const message = usageError(() => parseArgs(['--prot', '3000'], SPEC))
    assert.match(message, /unknown option --prot\b/)
    for (const known of ['--port', '--host', '--config', '--help', '--version']) assert.ok(message.includes(known), `${known} in: ${message}`)
  })

  test('an unknown flag in --flag=value form names only the flag, not its value', () => {
    const message = usageError(() => parseArgs(['--colour=red'], SPEC))
    assert.match(message, /unknown option --colour \(/)
    assert.doesNotMatch(message, /red/)
  })

  test('a value flag at the end is missing its value', () => {
    assert.equal(usageError(() => parseArgs(['--port'], SPEC)), '--port needs a value')
  })

  test('a value flag followed by another flag is missing its value', () => {
    assert.equal(usageError(() => parseArgs(['--port', '--help'], SPEC)), '--port needs a value')
  })

  test('"--" ends the flags: everything after it is positional', () => {
    const args = parseArgs(['--port', '1', '--', '--help', '--port', 'x'], SPEC)
    assert.equal(args.flags.get('port'), '1')
    assert.equal(args.switches.size, 0)
    assert.deepEqual(args.positional, ['--help', '--port', 'x'])
  })

  test('"--" alone leaves nothing positional', () => {
    assert.deepEqual(parseArgs(['--'], SPEC).positional, [])
  })

  test('a value that starts with "--" can be given with "="', () => {
    assert.equal(parseArgs(['--host=--weird'], SPEC).flags.get('host'), '--weird')
  })
})

describe('parsePort', () => {
  test('accepts 0 through 65535', () => {
    assert.equal(parsePort('0', 'port'), 0)
    assert.equal(parsePort('3000', 'port'), 3000)
    assert.equal(parsePort('65535', 'port'), 65535)
    assert.equal(parsePort('03000', 'port'), 3000)
  })

  test('rejects what is not a port, naming the flag and the text', () => {
    for (const bad of ['65536', '70000', '-1', '', 'abc', '30o0', '1.5', ' 3000', '0x10', '1e3']) {
      const message = usageError(() => parsePort(bad, 'port'))
      assert.equal(message, `--port "${bad}" is not a port (0..65535)`)
    }
  })

  test('the flag name in the message is the one passed in', () => {
    assert.match(usageError(() => parsePort('99999', 'admin-port')), /^--admin-port "99999"/)
  })
})
