import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { PeersFormatError, parsePeers } from '../src/index.ts'

describe('parsePeers', () => {
  test('no peers', () => {
    assert.deepEqual(parsePeers('7,3000,[]'), { generation: 7, peers: [] })
  })

  test('the three-node example of the wire reference (§15)', () => {
    const peers = parsePeers('4,3000,[[C8101000000FC02,,[127.0.0.1:3200]],[CE501000000FC02,,[127.0.0.1:3300]]]')
    assert.equal(peers.generation, 4)
    assert.deepEqual(peers.peers, [
      { name: 'C8101000000FC02', addresses: [{ host: '127.0.0.1', port: 3200 }] },
      { name: 'CE501000000FC02', addresses: [{ host: '127.0.0.1', port: 3300 }] },
    ])
  })

  test('default port (given or empty = 3000), several addresses, IPv6, TLS names', () => {
    const peers = parsePeers('1,,[[A1,tls-a,[10.0.0.2,10.0.0.3:4000]],[B2,,[[::1]:3100,[fe80::1]]]]')
    assert.deepEqual(peers.peers, [
      { name: 'A1', addresses: [{ host: '10.0.0.2', port: 3000 }, { host: '10.0.0.3', port: 4000 }] },
      { name: 'B2', addresses: [{ host: '::1', port: 3100 }, { host: 'fe80::1', port: 3000 }] },
    ])
    assert.deepEqual(parsePeers('2,3100,[[A1,,[h]]]').peers[0]!.addresses, [{ host: 'h', port: 3100 }])
  })

  for (const bad of ['', 'x,3000,[]', '1,3000', '1,3000,', '1,3000,[[A,,[h]]', '1,3000,[junk]', '1,3000,[[A,,[h:99999]]]']) {
    test(`rejects "${bad}"`, () => {
      assert.throws(() => parsePeers(bad), PeersFormatError)
    })
  }
})
