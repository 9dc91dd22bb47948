import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as index from '../src/index.ts'
import * as frame from '../src/frame.ts'
import * as compression from '../src/compression.ts'
import * as message from '../src/message.ts'
import * as resultCodes from '../src/result-codes.ts'
import * as digest from '../src/digest.ts'
import * as time from '../src/time.ts'
import * as infoText from '../src/info-text.ts'
import * as values from '../src/values.ts'
import * as msgpack from '../src/msgpack.ts'
import * as particles from '../src/particles.ts'
import * as env from '../src/env.ts'

const MODULES: Record<string, Record<string, unknown>> = { frame, compression, message, resultCodes, digest, time, infoText, values, msgpack, particles, env }

test('the package entry re-exports every runtime export of every module, identically', () => {
  const idx = index as Record<string, unknown>
  let count = 0
  for (const [name, mod] of Object.entries(MODULES)) {
    for (const key of Object.keys(mod)) {
      assert.ok(key in idx, `${name}.${key} is not exported from index.ts`)
      assert.equal(idx[key], mod[key], `${name}.${key} differs in index.ts`)
      count++
    }
  }
  assert.equal(Object.keys(idx).length, count, 'index.ts exports something no module exports, or two modules export the same name')
})

test('a few entry points by name', () => {
  for (const key of ['FrameParser', 'encodeFrame', 'decompressMessageBody', 'decodeMessage', 'encodeMessage', 'computeDigest', 'partitionId', 'parseInfoRequest', 'packValue', 'unpackValue', 'encodeParticle', 'decodeParticle', 'ResultCode', 'citrusleafSeconds', 'Double']) {
    assert.ok(key in index, key)
  }
})
