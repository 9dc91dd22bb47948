// The xdr context: Aerospike's names, values and defaults; errors name the line and the key.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { realDisk } from '../../src/env/real-disk.ts'
import { ConfigError, parseConfig, type ServerConfig } from '../../src/config/index.ts'
import { defaultXdrNamespaceConfig } from '../../src/config/xdr-config.ts'

const FILE = 'aerospike.conf'

function parse(...lines: string[]): ServerConfig {
  return parseConfig([...lines, 'namespace test {', '}', 'namespace bar {', '}'].join('\n') + '\n', FILE, realDisk)
}

function configError(line: number | undefined, key: string, ...lines: string[]): string {
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

describe('xdr', () => {
  it('src-id, DCs with their seeds and namespaces, every namespace setting', () => {
    const config = parse(
      'xdr {',
      '  src-id 7',
      '  dc dc2 {',
      '    node-address-port 10.0.0.9 3000',
      '    node-address-port remote.example 3100',
      '    period-ms 50',
      '    namespace test {',
      '      remote-namespace other',
      '      ship-only-specified-sets true',
      '      ship-set users',
      '      ship-set orders',
      '      ignore-set tmp',
      '      ship-bin a',
      '      ignore-bin secret',
      '      bin-policy changed-or-specified',
      '      write-policy replace',
      '      forward true',
      '      delay-ms 20',
      '      hot-key-ms 200',
      '      max-throughput 5000',
      '      transaction-queue-limit 4096',
      '      ship-nsup-deletes true',
      '      ship-bin-luts true',
      '      enable-compression true',
      '      compression-level 3',
      '    }',
      '    namespace bar {',
      '    }',
      '  }',
      '  dc dc3 {',
      '    node-address-port ::1 3000',
      '  }',
      '}',
    )
    assert.deepEqual(config.xdr, {
      srcId: 7,
      dcs: [
        {
          name: 'dc2',
          nodes: [{ host: '10.0.0.9', port: 3000 }, { host: 'remote.example', port: 3100 }],
          periodMs: 50,
          namespaces: [
            {
              name: 'test', remoteNamespace: 'other', shipOnlySpecifiedSets: true, shipSets: ['users', 'orders'], ignoreSets: ['tmp'],
              shipBins: ['a'], ignoreBins: ['secret'], binPolicy: 'changed-or-specified', writePolicy: 'replace', forward: true,
              delayMs: 20, hotKeyMs: 200, maxThroughput: 5000, transactionQueueLimit: 4096, shipNsupDeletes: true, shipBinLuts: true,
              enableCompression: true,
            },
            defaultXdrNamespaceConfig('bar'),
          ],
        },
        { name: 'dc3', nodes: [{ host: '::1', port: 3000 }], periodMs: 100, namespaces: [] },
      ],
    })
  })

  it('without an xdr context nothing ships', () => {
    assert.deepEqual(parse().xdr, { srcId: 0, dcs: [] })
  })

  it('bad values, unknown keys and unknown namespaces are refused naming them', () => {
    assert.match(configError(4, 'bin-policy', 'xdr {', 'dc dc2 {', 'namespace test {', 'bin-policy some', '}', '}', '}'), /bin-policy "some" is not one of all, no-bins, only-changed, changed-and-specified, changed-or-specified/)
    assert.match(configError(4, 'write-policy', 'xdr {', 'dc dc2 {', 'namespace test {', 'write-policy x', '}', '}', '}'), /write-policy "x" is not one of auto, update, replace/)
    assert.match(configError(3, 'node-address-port', 'xdr {', 'dc dc2 {', 'node-address-port 10.0.0.9', '}', '}'), /node-address-port takes HOST PORT \[TLS-NAME\]/)
    assert.match(configError(3, 'node-address-port', 'xdr {', 'dc dc2 {', 'node-address-port 10.0.0.9 99999', '}', '}'), /is not HOST PORT/)
    assert.match(configError(2, 'src-id', 'xdr {', 'src-id 256', '}'), /src-id "256" is out of range \(allowed: 0 to 255\)/)
    assert.match(configError(4, 'shipping', 'xdr {', 'dc dc2 {', 'namespace test {', 'shipping on', '}', '}', '}'), /unknown key "shipping" in xdr dc dc2 namespace test \(allowed: remote-namespace,/)
    assert.match(configError(4, 'dc', 'xdr {', 'dc dc2 {', '}', 'dc dc2 {', '}', '}'), /dc "dc2" is defined twice/)
    assert.match(configError(1, 'xdr', 'xdr {', 'dc dc2 {', 'namespace nope {', '}', '}', '}'), /xdr: dc dc2 ships namespace "nope", which is not configured \(namespaces: test, bar\)/)
  })
})
