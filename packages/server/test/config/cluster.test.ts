// Cluster settings: heartbeat through etcd, the fabric, rack ids, and the AP switch.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { realDisk } from '../../src/env/real-disk.ts'
import { ConfigError, parseConfig, parseHostPort, type ServerConfig } from '../../src/config/index.ts'

const FILE = 'aerospike.conf'

function parse(...lines: string[]): ServerConfig {
  return parseConfig([...lines, 'namespace test {', '}'].join('\n') + '\n', FILE, realDisk)
}

/** The one-line ConfigError of parsing `lines`, at `line` about `key`. */
function configError(line: number, key: string, ...lines: string[]): string {
  try {
    parse(...lines)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.equal(error.line, line, error.message)
    assert.equal(error.key, key, error.message)
    assert.ok(!error.message.includes('\n'), 'one line')
    return error.message
  }
  assert.fail('expected a ConfigError, nothing was thrown')
}

describe('network heartbeat', () => {
  it('mode etcd with endpoints, interval and timeout', () => {
    const config = parse('network {', 'heartbeat {', 'mode etcd', 'etcd-endpoint 127.0.0.1:2379', 'etcd-endpoint 127.0.0.1:22379', 'interval 250', 'timeout 8', '}', '}')
    assert.deepEqual(config.network.heartbeat, {
      mode: 'etcd',
      etcdEndpoints: [{ host: '127.0.0.1', port: 2379 }, { host: '127.0.0.1', port: 22379 }],
      intervalMs: 250,
      timeoutCount: 8,
    })
  })

  it('interval and timeout default to 150 ms and 10; no heartbeat block is a single node', () => {
    assert.deepEqual(parse('network {', 'heartbeat {', 'mode etcd', 'etcd-endpoint etcd:2379', '}', '}').network.heartbeat, { mode: 'etcd', etcdEndpoints: [{ host: 'etcd', port: 2379 }], intervalMs: 150, timeoutCount: 10 })
    assert.equal(parse().network.heartbeat.mode, 'none')
  })

  it('mode mesh and mode multicast are one-line errors that say membership goes through etcd and how to configure it', () => {
    for (const mode of ['mesh', 'multicast']) {
      const message = configError(3, 'mode', 'network {', 'heartbeat {', `mode ${mode}`, 'mesh-seed-address-port 10.0.0.6 3002', '}', '}')
      assert.equal(message, `${FILE}:3: network heartbeat: mode ${mode} is not available: Aerolite's cluster membership goes through etcd; write "mode etcd" and one "etcd-endpoint HOST:PORT" line per etcd member`)
    }
  })

  it('another mode names the allowed one', () => {
    assert.match(configError(3, 'mode', 'network {', 'heartbeat {', 'mode gossip', '}', '}'), /mode "gossip" is not a heartbeat mode \(allowed: etcd; write "mode etcd"/)
  })

  it('mode etcd needs an endpoint, and an endpoint needs mode etcd', () => {
    assert.match(configError(3, 'etcd-endpoint', 'network {', 'heartbeat {', 'mode etcd', '}', '}'), /mode etcd needs at least one "etcd-endpoint HOST:PORT" line/)
    assert.match(configError(3, 'mode', 'network {', 'heartbeat {', 'etcd-endpoint 127.0.0.1:2379', '}', '}'), /etcd-endpoint without "mode etcd"/)
  })

  it('a bad endpoint, interval or timeout names the value and what is allowed', () => {
    assert.match(configError(4, 'etcd-endpoint', 'network {', 'heartbeat {', 'mode etcd', 'etcd-endpoint 127.0.0.1', '}', '}'), /etcd-endpoint "127.0.0.1" is not HOST:PORT/)
    assert.match(configError(4, 'etcd-endpoint', 'network {', 'heartbeat {', 'mode etcd', 'etcd-endpoint http://127.0.0.1:2379', '}', '}'), /is not HOST:PORT/)
    assert.match(configError(3, 'interval', 'network {', 'heartbeat {', 'interval 10', '}', '}'), /interval "10" is out of range \(allowed: 50 to 600000\)/)
    assert.match(configError(3, 'timeout', 'network {', 'heartbeat {', 'timeout 1', '}', '}'), /timeout "1" is out of range \(allowed: 3 to 100000\)/)
  })

  it('unknown keys are refused, listing the allowed ones; Aerospike\'s own heartbeat port and address are accepted', () => {
    assert.match(configError(3, 'protocol', 'network {', 'heartbeat {', 'protocol v3', '}', '}'), /unknown key "protocol" in network heartbeat \(allowed: mode, etcd-endpoint, interval, timeout, port, address, mesh-seed-address-port, multicast-group\)/)
    assert.equal(parse('network {', 'heartbeat {', 'mode etcd', 'etcd-endpoint 127.0.0.1:2379', 'port 3002', 'address any', '}', '}').network.heartbeat.etcdEndpoints.length, 1)
  })
})

describe('network fabric', () => {
  it('port and address; the address defaults to the service address (unset) and the port to 3001', () => {
    assert.deepEqual(parse('network {', 'fabric {', 'port 3101', 'address 10.0.0.5', '}', '}').network.fabric, { port: 3101, address: '10.0.0.5' })
    assert.deepEqual(parse('network {', 'fabric {', 'address any', '}', '}').network.fabric, { port: 3001, address: '0.0.0.0' })
    assert.deepEqual(parse().network.fabric, { port: 3001 })
  })

  it('a bad port or address, and an unknown key, are refused', () => {
    assert.match(configError(3, 'port', 'network {', 'fabric {', 'port 70000', '}', '}'), /port "70000" is out of range/)
    assert.match(configError(3, 'address', 'network {', 'fabric {', 'address eth0', '}', '}'), /address "eth0" is not an IP address/)
    assert.match(configError(3, 'channel-bulk-fds', 'network {', 'fabric {', 'channel-bulk-fds 4', '}', '}'), /unknown key "channel-bulk-fds" in network fabric \(allowed: address, port,/)
  })
})

describe('network http', () => {
  it('port and address; off unless a port is set; the address defaults to the service address', () => {
    assert.deepEqual(parse('network {', 'http {', 'port 9145', 'address 10.0.0.5', '}', '}').network.http, { port: 9145, address: '10.0.0.5' })
    assert.deepEqual(parse('network {', 'http {', 'address any', '}', '}').network.http, { address: '0.0.0.0' })
    assert.deepEqual(parse().network.http, {})
  })

  it('a bad port or address, and an unknown key, are refused; Aerospike 8.1\'s admin block is accepted', () => {
    assert.match(configError(3, 'port', 'network {', 'http {', 'port 0', '}', '}'), /port "0" is out of range \(allowed: 1 to 65535\)/)
    assert.match(configError(3, 'address', 'network {', 'http {', 'address eth0', '}', '}'), /address "eth0" is not an IP address/)
    assert.match(configError(3, 'path', 'network {', 'http {', 'path /metrics', '}', '}'), /unknown key "path" in network http \(allowed: address, port, alertmanager-url\)/)
    assert.deepEqual(parse('network {', 'admin {', 'port 3008', '}', '}').network.http, {})
  })

  it('alertmanager-url names the Alertmanager the console shows alerts from', () => {
    assert.equal(parse('network {', 'http {', 'alertmanager-url http://10.0.0.9:9093/', '}', '}').network.http.alertmanagerUrl, 'http://10.0.0.9:9093/')
    assert.match(configError(3, 'alertmanager-url', 'network {', 'http {', 'alertmanager-url 10.0.0.9:9093', '}', '}'), /alertmanager-url "10.0.0.9:9093" is not an http:\/\/ or https:\/\/ URL/)
    assert.match(configError(3, 'alertmanager-url', 'network {', 'http {', 'alertmanager-url ftp://x', '}', '}'), /is not an http:\/\/ or https:\/\/ URL/)
  })
})

describe('rack-id and keep-serving-without-etcd', () => {
  it('rack-id per namespace, 0 to 1000000, default 0', () => {
    const config = parseConfig(['namespace a {', 'rack-id 1000000', '}', 'namespace b {', '}'].join('\n'), FILE, realDisk)
    assert.deepEqual(config.namespaces.map((ns) => ns.rackId), [1_000_000, 0])
    assert.match(configError(2, 'rack-id', 'namespace x {', 'rack-id 1000001', '}'), /rack-id "1000001" is out of range \(allowed: 0 to 1000000\)/)
  })

  it('keep-serving-without-etcd is a boolean, false unless set', () => {
    assert.equal(parse().service.keepServingWithoutEtcd, false)
    assert.equal(parse('service {', 'keep-serving-without-etcd true', '}').service.keepServingWithoutEtcd, true)
    assert.match(configError(2, 'keep-serving-without-etcd', 'service {', 'keep-serving-without-etcd maybe', '}'), /is not a boolean/)
  })
})

describe('parseHostPort', () => {
  it('IPv4, host names and bracketed IPv6 with a port', () => {
    assert.deepEqual(parseHostPort('10.0.0.1:2379'), { host: '10.0.0.1', port: 2379 })
    assert.deepEqual(parseHostPort('etcd-1.example.com:2379'), { host: 'etcd-1.example.com', port: 2379 })
    assert.deepEqual(parseHostPort('[::1]:2379'), { host: '::1', port: 2379 })
  })

  it('refuses a missing or out-of-range port, bare IPv6, URLs and junk', () => {
    for (const text of ['10.0.0.1', '10.0.0.1:0', '10.0.0.1:65536', '::1:2379', '[::1]', 'http://x:2379', 'a b:1', '[nothost]:1', ':2379', 'x:']) {
      assert.equal(parseHostPort(text), undefined, text)
    }
  })
})
