// Info commands and truncate with the official Node client: build, namespaces, namespace/<ns>,
// sets/<ns>, get-config / set-config, truncate with and without a cutoff.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  Aerospike, NS, assertTtlBetween, infoValue, parseKeyValues, rejectsWithCode, sleep, startHarness, uniqueName,
  type AerospikeKey, type Harness,
} from './helpers.ts'

let h: Harness

before(async () => {
  h = await startHarness({ namespaceOverrides: { nsupPeriodSeconds: 60, defaultTtlSeconds: 0 } })
})

after(async () => {
  await h?.stop()
})

async function namespaceStats(): Promise<Record<string, string>> {
  return parseKeyValues(await infoValue(h.client, `namespace/${NS}`))
}

/** The `sets/<ns>` entry of one set as key/value pairs, or undefined when the set is not listed. */
async function setStats(set: string): Promise<Record<string, string> | undefined> {
  const text = await infoValue(h.client, `sets/${NS}`)
  for (const entry of text.split(';')) {
    const fields = parseKeyValues(entry, ':')
    if (fields.ns === NS && fields.set === set) return fields
  }
  return undefined
}

/** Truncation answers at once and sweeps in the background, as Aerospike's does: counts settle a moment later. */
async function settled<T>(read: () => Promise<T>, expected: T): Promise<T> {
  let value = await read()
  for (let waited = 0; value !== expected && waited < 5000; waited += 20) {
    await sleep(20)
    value = await read()
  }
  return value
}

async function putAll(keys: AerospikeKey[]): Promise<void> {
  for (const [i, key] of keys.entries()) await h.client.put(key, { i })
}

async function existing(keys: AerospikeKey[]): Promise<boolean[]> {
  const out: boolean[] = []
  for (const key of keys) out.push(await h.client.exists(key))
  return out
}

test('build is an Aerospike version of at least 6.0 (clients pick protocol features from it)', async () => {
  const build = await infoValue(h.client, 'build')
  const match = /^(\d+)\.(\d+)\.(\d+)(\.\d+)?$/.exec(build)
  assert.ok(match, `build "${build}" is not a.b.c[.d]`)
  assert.ok(Number(match[1]) >= 6, `build ${build} is older than 6.0`)
})

test('node is an upper-case hex node id and namespaces lists the namespace', async () => {
  assert.match(await infoValue(h.client, 'node'), /^[0-9A-F]{1,16}$/)
  assert.equal(await infoValue(h.client, 'namespaces'), NS)
})

test('several commands in one request are answered line by line, in order', async () => {
  const answer = await h.client.infoAny('namespaces\nstatus\n')
  assert.equal(answer, `namespaces\t${NS}\nstatus\tok\n`)
})

test('an unknown info command fails with 4', async () => {
  await rejectsWithCode(h.client.infoAny('no-such-command'), 4, 'unknown info command')
})

test('namespace/<ns> objects follows writes and removes', async () => {
  const base = Number((await namespaceStats()).objects)
  assert.ok(Number.isInteger(base))
  const set = uniqueName('objs')
  const keys = [1, 2, 3].map((i) => new Aerospike.Key(NS, set, i))
  await putAll(keys)
  // Overwrites do not add objects.
  await h.client.put(keys[0]!, { i: 10 })
  assert.equal(Number((await namespaceStats()).objects), base + 3)
  await h.client.remove(keys[1]!)
  const stats = await namespaceStats()
  assert.equal(Number(stats.objects), base + 2)
  assert.equal(stats.master_objects, stats.objects)
  assert.equal(stats['default-ttl'], '0')
  assert.equal(stats['nsup-period'], '60')
})

test('sets/<ns> lists a set after its first write, with its object count', async () => {
  const set = uniqueName('listed')
  assert.equal(await setStats(set), undefined, 'a set nobody wrote to is not listed')
  const keys = [1, 2, 3].map((i) => new Aerospike.Key(NS, set, i))
  await putAll(keys)
  assert.equal((await setStats(set))?.objects, '3')
  await h.client.remove(keys[0]!)
  assert.equal((await setStats(set))?.objects, '2')
  // sets/<ns>/<set> answers the one set.
  const oneText = await infoValue(h.client, `sets/${NS}/${set}`)
  assert.ok(oneText.endsWith(';'), 'each set entry ends with ;')
  const one = parseKeyValues(oneText.slice(0, -1), ':')
  assert.equal(one.set, set)
  assert.equal(one.objects, '2')
})

test('truncate of a set removes all of its records and no others', async () => {
  const set = uniqueName('trunc')
  const other = uniqueName('kept')
  const victims = [1, 2, 3].map((i) => new Aerospike.Key(NS, set, i))
  const survivors = [new Aerospike.Key(NS, other, 1), new Aerospike.Key(NS, null, `${set}-noset`)]
  await putAll([...victims, ...survivors])
  const base = Number((await namespaceStats()).objects)
  await h.client.truncate(NS, set, 0)
  assert.deepEqual(await existing(victims), [false, false, false])
  assert.deepEqual(await existing(survivors), [true, true])
  assert.equal(await settled(async () => (await setStats(set))?.objects, '0'), '0')
  assert.equal(Number((await namespaceStats()).objects), base - 3)
  // The set can be written again after the truncate.
  await h.client.put(victims[0]!, { again: true })
  assert.deepEqual((await h.client.get(victims[0]!)).bins, { again: true })
  assert.equal((await setStats(set))?.objects, '1')
})

test('truncate with a before-nanos cutoff removes older records and keeps newer ones', async () => {
  const set = uniqueName('cutoff')
  const older = [1, 2].map((i) => new Aerospike.Key(NS, set, `old-${i}`))
  const newer = [1, 2].map((i) => new Aerospike.Key(NS, set, `new-${i}`))
  await putAll(older)
  await sleep(30)
  const cutoffNanos = Date.now() * 1_000_000
  await sleep(30)
  await putAll(newer)
  // Updating an old record after the cutoff makes it newer than the cutoff.
  await h.client.put(older[1]!, { touched: true })
  await h.client.truncate(NS, set, cutoffNanos)
  assert.deepEqual(await existing(older), [false, true])
  assert.deepEqual(await existing(newer), [true, true])
  assert.equal(await settled(async () => (await setStats(set))?.objects, '3'), '3')
})

test('truncate with a cutoff in the future fails with 4', async () => {
  const set = uniqueName('future')
  const key = new Aerospike.Key(NS, set, 1)
  await h.client.put(key, { a: 1 })
  await rejectsWithCode(h.client.truncate(NS, set, (Date.now() + 3_600_000) * 1_000_000), 4, 'truncate in the future')
  assert.equal(await h.client.exists(key), true)
})

test('get-config:context=namespace;id=<ns> reports the namespace configuration', async () => {
  const config = parseKeyValues(await infoValue(h.client, `get-config:context=namespace;id=${NS}`))
  assert.equal(config['default-ttl'], '0')
  assert.equal(config['nsup-period'], '60')
  assert.equal(config['allow-ttl-without-nsup'], 'false')
  assert.equal(config['default-read-touch-ttl-pct'], '0')
  assert.equal(config['storage-engine'], 'memory')
})

test('set-config default-ttl takes effect for later writes only', async () => {
  const before = new Aerospike.Key(NS, 'cfg', uniqueName('before'))
  await h.client.put(before, { a: 1 })
  try {
    assert.equal(await infoValue(h.client, `set-config:context=namespace;id=${NS};default-ttl=300`), 'ok')
    assert.equal(parseKeyValues(await infoValue(h.client, `get-config:context=namespace;id=${NS}`))['default-ttl'], '300')
    assert.equal((await namespaceStats())['default-ttl'], '300')
    const after = new Aerospike.Key(NS, 'cfg', uniqueName('after'))
    await h.client.put(after, { a: 1 })
    assertTtlBetween((await h.client.get(after)).ttl, 299, 300, 'record written after the change')
    assert.equal((await h.client.get(before)).ttl, -1, 'record written before the change keeps its ttl')
  } finally {
    assert.equal(await infoValue(h.client, `set-config:context=namespace;id=${NS};default-ttl=0`), 'ok')
  }
  const reset = new Aerospike.Key(NS, 'cfg', uniqueName('reset'))
  await h.client.put(reset, { a: 1 })
  assert.equal((await h.client.get(reset)).ttl, -1)
})

test('set-config with an unknown parameter or a bad value fails with 4 and changes nothing', async () => {
  await rejectsWithCode(h.client.infoAny(`set-config:context=namespace;id=${NS};no-such-param=1`), 4, 'unknown parameter')
  await rejectsWithCode(h.client.infoAny(`set-config:context=namespace;id=${NS};default-ttl=abc`), 4, 'non-numeric default-ttl')
  await rejectsWithCode(h.client.infoAny('set-config:context=no-such-context;x=1'), 4, 'unknown context')
  assert.equal(parseKeyValues(await infoValue(h.client, `get-config:context=namespace;id=${NS}`))['default-ttl'], '0')
})

test('get-config and set-config of an unknown namespace fail with 20', async () => {
  await rejectsWithCode(h.client.infoAny('get-config:context=namespace;id=no_such_ns'), 20, 'get-config of an unknown namespace')
  await rejectsWithCode(h.client.infoAny('set-config:context=namespace;id=no_such_ns;default-ttl=1'), 20, 'set-config of an unknown namespace')
})

test('truncate with an empty set name fails with 4 and truncates nothing', async () => {
  const key = new Aerospike.Key(NS, uniqueName('emptyset'), 1)
  await h.client.put(key, { a: 1 })
  // The Node client sends "truncate:namespace=test;set=" for set ''.
  await rejectsWithCode(h.client.truncate(NS, '', 0), 4, 'truncate with set ""')
  await rejectsWithCode(h.client.infoAny(`truncate:namespace=${NS}`), 4, 'truncate without a set parameter')
  assert.equal(await h.client.exists(key), true)
})

test('truncate with a lut at or before 2010-01-01 fails with 4 (it would truncate to 0)', async () => {
  const set = uniqueName('lut0')
  const key = new Aerospike.Key(NS, set, 1)
  await h.client.put(key, { a: 1 })
  await rejectsWithCode(h.client.infoAny(`truncate:namespace=${NS};set=${set};lut=0`), 4, 'truncate with lut=0')
  assert.equal(await h.client.exists(key), true)
})

// Last: it empties the namespace. The Node client 6.7.1 cannot ask for it: truncate(ns, null, ...)
// sends "truncate:namespace=<ns>;set=<uninitialised bytes>" (a client bug), so the info command is sent directly.
test('truncate-namespace removes records of every set and of no set', async () => {
  const keys = [new Aerospike.Key(NS, uniqueName('all-a'), 1), new Aerospike.Key(NS, uniqueName('all-b'), 1), new Aerospike.Key(NS, null, uniqueName('all-noset'))]
  await putAll(keys)
  assert.ok(Number((await namespaceStats()).objects) >= 3)
  assert.equal(await infoValue(h.client, `truncate-namespace:namespace=${NS}`), 'ok')
  assert.deepEqual(await existing(keys), [false, false, false])
  assert.equal(await settled(async () => (await namespaceStats()).objects, '0'), '0')
})
