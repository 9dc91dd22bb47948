// `aerolite start` flags for a cluster member, through the server's buildConfig to the config a node runs with.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildConfig, realEnv, StartOptionError } from '@aerolite/server'
import { parseArgs, UsageError } from '../src/args.ts'
import { START_FLAGS, startOptions } from '../src/main.ts'

const configOf = (...argv: string[]) => buildConfig(startOptions(parseArgs(argv, START_FLAGS)), realEnv.disk)

describe('aerolite start cluster flags', () => {
  test('--etcd (repeated or comma-separated) sets heartbeat mode etcd with those endpoints', () => {
    const config = configOf('--etcd', '10.0.0.1:2379,10.0.0.2:2379', '--etcd=[::1]:2379')
    assert.deepEqual(config.network.heartbeat, {
      mode: 'etcd',
      etcdEndpoints: [{ host: '10.0.0.1', port: 2379 }, { host: '10.0.0.2', port: 2379 }, { host: '::1', port: 2379 }],
      intervalMs: 150,
      timeoutCount: 10,
    })
  })

  test('--fabric-port and --rack-id set the fabric port and the rack of every namespace', () => {
    const config = configOf('--fabric-port', '3101', '--rack-id', '7', '--namespace', 'users')
    assert.equal(config.network.fabric.port, 3101)
    assert.deepEqual(config.namespaces.map((ns) => [ns.name, ns.rackId]), [['users', 7]])
  })

  test('--http-port turns the HTTP port on (off without it)', () => {
    assert.equal(configOf('--http-port', '9145').network.http.port, 9145)
    assert.equal(configOf('--http-port', '0').network.http.port, 0)
    assert.equal(configOf().network.http.port, undefined)
    assert.throws(() => configOf('--http-port', 'x'), (e: unknown) => e instanceof UsageError && e.message === '--http-port "x" is not a port (0..65535)')
  })

  test('without them a node is alone: no etcd, fabric port 3001, rack 0', () => {
    const config = configOf()
    assert.equal(config.network.heartbeat.mode, 'none')
    assert.equal(config.network.fabric.port, 3001)
    assert.deepEqual(config.namespaces.map((ns) => ns.rackId), [0])
  })

  test('bad values are refused naming them', () => {
    assert.throws(() => configOf('--etcd', 'localhost'), (e: unknown) => e instanceof StartOptionError && /etcd endpoint "localhost" is not HOST:PORT/.test(e.message))
    assert.throws(() => configOf('--etcd', 'a:1,,b:2'), UsageError)
    assert.throws(() => configOf('--rack-id', 'two'), (e: unknown) => e instanceof UsageError && e.message === '--rack-id "two" is not a rack id (0..1000000)')
    assert.throws(() => configOf('--fabric-port', '65536'), (e: unknown) => e instanceof UsageError && e.message === '--fabric-port "65536" is not a port (0..65535)')
  })
})
