// One record written by many commands at once under commit-to-device, through the official client:
// each write waits for its group commit, the commands on the same record queue behind it and apply
// in turn, and past transaction-pending-limit the client gets KEY_BUSY (14), counted as
// fail_key_busy. Nothing acknowledged is lost and nothing refused is applied.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Aerospike, NS, freshKey, infoValue, parseKeyValues, startHarness, type Harness } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'aerolite-hot-key-'))
let h: Harness

before(async () => {
  const config = join(dir, 'aerospike.conf')
  writeFileSync(config, [
    `namespace ${NS} {`,
    '  transaction-pending-limit 20',
    '  storage-engine device {',
    `    file ${join(dir, 'data.dat')}`,
    '    filesize 64M',
    '    commit-to-device true',
    '  }',
    '}',
  ].join('\n'))
  h = await startHarness({ configFile: config })
})

after(async () => {
  await h.stop()
  rmSync(dir, { recursive: true, force: true })
})

const increment = (key: ReturnType<typeof freshKey>) => h.client.operate(key, [Aerospike.operations.incr('n', 1)], {}, new Aerospike.OperatePolicy({ maxRetries: 0, totalTimeout: 10_000 }))

async function setPendingLimit(limit: number): Promise<void> {
  assert.equal(await infoValue(h.client, `set-config:context=namespace;id=${NS};transaction-pending-limit=${limit}`), 'ok')
}

async function failKeyBusy(): Promise<number> {
  return Number(parseKeyValues(await infoValue(h.client, `namespace/${NS}`)).fail_key_busy)
}

test('concurrent increments of one record under commit-to-device all apply, in turn', async () => {
  const key = freshKey('hot')
  const results = await Promise.allSettled(Array.from({ length: 16 }, () => increment(key)))
  assert.deepEqual(results.filter((r) => r.status === 'rejected'), [])
  const record = await h.client.get(key)
  assert.equal(record.bins.n, 16)
  assert.equal(record.gen, 16)
})

test('past transaction-pending-limit a command answers KEY_BUSY and changes nothing', async () => {
  await setPendingLimit(1)
  try {
    const key = freshKey('busy')
    const busyBefore = await failKeyBusy()
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => increment(key)))
    const refused = results.filter((r) => r.status === 'rejected')
    for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.code, Aerospike.status.ERR_RECORD_BUSY)
    assert.ok(refused.length > 0, 'some commands found the record busy')
    const applied = results.length - refused.length
    const record = await h.client.get(key)
    assert.equal(record.bins.n, applied, 'every acknowledged increment, and only those')
    assert.equal(await failKeyBusy() - busyBefore, refused.length)
  } finally {
    await setPendingLimit(20)
  }
})
