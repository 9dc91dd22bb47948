// Config's IP address check agrees with Node's net.isIP.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import fc from 'fast-check'
import { isIpAddress } from '../../src/config/ip-address.ts'

const CASES = [
  '127.0.0.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.4 ', 'localhost', '',
  '::', '::1', 'fe80::1', 'fe80::1%eth0', '2001:db8::8a2e:370:7334', '::ffff:192.168.1.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9',
  '1::2::3', ':::', 'g::1', '[::1]', '::1/64', 'fe80::1%', '12345::1',
]

test('known addresses and non-addresses', () => {
  for (const text of CASES) assert.equal(isIpAddress(text), isIP(text) !== 0, text)
})

test('random strings of address characters', () => {
  fc.assert(fc.property(fc.stringMatching(/^[0-9a-fA-F:.%]{0,40}$/), (text) => isIpAddress(text) === (isIP(text) !== 0)), { numRuns: 2000 })
})
