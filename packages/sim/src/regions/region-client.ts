// The application of the two-region run, in the client's network namespace: the official client,
// seeded with the global entry point only, writes one new key after another at a steady rate, and
// a second client, connected to region B directly, measures how long each sampled write takes to
// become visible there. In the active-active run a third client writes every key again in region
// B directly, a few ticks after the first wrote it: the two regions take writes of the same records
// at once. Commands on stdin: "probes-off" (no new samples), "stop". Results on stdout, one JSON
// object a line: ready, write (acknowledged; `by` b for the writer in region B), fail, lag,
// lost-probe, nodeAdded, nodeRemoved, done.
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import type * as AerospikeModule from 'aerospike'

const Aerospike = createRequire(import.meta.url)('aerospike') as typeof AerospikeModule

export interface RegionClientOptions {
  entry: { host: string; port: number }
  regionB: { host: string; port: number }
  ratePerSecond: number
  /** Every Nth acknowledged write is sampled for the lag to region B (0: none). */
  probeEvery: number
  /** Active-active: region B's own writer writes key i again this many ticks after the application wrote it. */
  writerInBAfterTicks?: number
  set: string
  /** The client's tend interval: it seeds again after 5 tends in a row fail (the official clients' rule). */
  tendIntervalMs: number
  /** How long connecting, and each tend's info request, may take: a tend that waits it out has failed. */
  connectTimeoutMs: number
}

/** Writes in flight at most; a tick that finds them all busy skips its key (counted as failed). */
const MAX_IN_FLIGHT = 256
/** A sampled write not seen in B within this is reported lost-probe. */
const PROBE_LIMIT_MS = 5000
const PROBE_POLL_MS = 2

const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function main(options: RegionClientOptions): Promise<void> {
  const quiet = { log: { level: Aerospike.log.OFF } }
  const policies = { write: new Aerospike.WritePolicy({ totalTimeout: 1000, socketTimeout: 500, maxRetries: 0 }) }
  const app = await Aerospike.connect({ hosts: [{ addr: options.entry.host, port: options.entry.port }], policies, tenderInterval: options.tendIntervalMs, connTimeoutMs: options.connectTimeoutMs, ...quiet })
  // When the client drops region A's node and finds region B's: the steps of a failover.
  for (const event of ['nodeAdded', 'nodeRemoved']) app.on(event, (e: { nodeName: string; nodeAddress: string }) => emit({ t: event, node: e.nodeName, address: e.nodeAddress, at: Date.now() }))
  const probe = await Aerospike.connect({ hosts: [{ addr: options.regionB.host, port: options.regionB.port }], ...quiet })
  let probing = true
  let stopping = false
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'probes-off') probing = false
    if (line === 'stop') stopping = true
  })
  const writerInB = options.writerInBAfterTicks === undefined ? undefined : await Aerospike.connect({ hosts: [{ addr: options.regionB.host, port: options.regionB.port }], policies, ...quiet })
  const inFlight = new Set<Promise<void>>()
  const write = (client: AerospikeModule.Client, i: number, by: 'a' | 'b'): void => {
    const sentAt = Date.now()
    if (inFlight.size >= MAX_IN_FLIGHT) return emit({ t: 'fail', i, by, sentAt, at: sentAt, code: 'skipped' })
    const put = client.put(new Aerospike.Key('test', options.set, i), { i, at: sentAt, by }).then(() => {
      const ackAt = Date.now()
      emit({ t: 'write', i, by, sentAt, ackAt })
      if (by === 'a' && probing && options.probeEvery > 0 && i % options.probeEvery === 0) void watchLag(i, ackAt)
    }, (err: { code?: number }) => emit({ t: 'fail', i, by, sentAt, at: Date.now(), code: err.code ?? 'error' }))
      .finally(() => inFlight.delete(put))
    inFlight.add(put)
  }
  const watchLag = async (i: number, ackAt: number): Promise<void> => {
    const key = new Aerospike.Key('test', options.set, i)
    while (Date.now() - ackAt < PROBE_LIMIT_MS && !stopping) {
      if (await probe.exists(key).catch(() => false)) return emit({ t: 'lag', i, ms: Date.now() - ackAt })
      await sleep(PROBE_POLL_MS)
    }
    emit({ t: 'lost-probe', i })
  }
  emit({ t: 'ready' })
  const started = Date.now()
  for (let i = 0; !stopping; i++) {
    const dueAt = started + (i * 1000) / options.ratePerSecond
    if (dueAt > Date.now()) await sleep(dueAt - Date.now())
    write(app, i, 'a')
    const again = i - (options.writerInBAfterTicks ?? 0)
    if (writerInB !== undefined && again >= 0) write(writerInB, again, 'b')
  }
  await Promise.all(inFlight)
  app.close()
  probe.close()
  writerInB?.close()
  emit({ t: 'done' })
}

await main(JSON.parse(process.argv[2]!) as RegionClientOptions)
