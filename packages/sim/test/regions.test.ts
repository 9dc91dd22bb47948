// The two-region runs, reduced for CI (bench/regions.mjs runs them at full size): region A is cut
// off while the application writes through the global entry point; it must be served by region B
// within the entry point's failover time plus the client's re-seeding, lose at most the writes of
// the last lag window, and after the heal both regions must hold the same records, every
// acknowledged write among them, each shipped by the region that took it (no loop). In the
// active-active run region B takes writes of the same records too: both regions end with the
// latest write of every record.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { regionsUnusable, runRegions, type RegionRunOptions } from '../src/regions/region-run.ts'

const REDUCED: Omit<RegionRunOptions, 'activeActive'> = { ratePerSecond: 100, healthyMs: 5000, outageMs: 8000, periodMs: 100, clientTendIntervalMs: 250, clientConnectTimeoutMs: 250, convergeLimitMs: 30_000 }

describe('two regions behind a global entry point', { timeout: 180_000 }, () => {
  it('fails over to region B when A is cut off, and converges when A returns', async (t) => {
    const unusable = regionsUnusable()
    if (unusable !== undefined) return t.skip(unusable)
    const report = await runRegions({ ...REDUCED, activeActive: false }, (line) => t.diagnostic(line))
    t.diagnostic(JSON.stringify(report))
    const { lag, rpo, converge, shipped } = report
    assert.ok(lag.samples >= 50, `${lag.samples} lag samples`)
    assert.ok(lag.p99Ms < 1000, `lag p99 ${lag.p99Ms} ms`)
    // The client talked to A's node at A's own address (past the entry point), dropped it after its
    // failed tends, and found B through the entry point once that had passed A over.
    const { entryMarkedADownMs, clientDroppedAMs, clientFoundBMs } = report.failover
    assert.ok(entryMarkedADownMs > 0 && entryMarkedADownMs <= 2000 + 500, `the entry point passed A over ${entryMarkedADownMs} ms after the cut`)
    assert.ok(Number.isFinite(clientDroppedAMs) && Number.isFinite(clientFoundBMs), 'the client dropped A\'s node and found B\'s by their own addresses')
    assert.ok(clientFoundBMs >= entryMarkedADownMs, 'B was found through the entry point')
    assert.ok(report.rtoMs < 10_000, `RTO ${report.rtoMs} ms`)
    // Lost at the cut: only writes of the last moments, those not yet shipped (about one period and a round trip).
    assert.ok(rpo.missingInB <= Math.ceil((report.options.ratePerSecond * (lag.maxMs + report.options.periodMs)) / 1000) + 5, `RPO ${rpo.missingInB} writes`)
    assert.ok(rpo.oldestMissingMsBeforeCut <= lag.maxMs + report.options.periodMs + 200, `the oldest missing write was acknowledged ${rpo.oldestMissingMsBeforeCut} ms before the cut`)
    assert.ok(converge.identical, `A holds ${converge.recordsA} records, B ${converge.recordsB}`)
    assert.equal(converge.ackedMissing, 0, 'every acknowledged write is in both regions')
    // A DC that returns is dialled again within xdrRetryMaxMs; sends lost in the cut are given up after xdrRequestTimeoutMs.
    assert.ok(converge.ms < 10_000, `converged ${converge.ms} ms after the heal`)
    assert.ok(shipped.writtenInB > 0, 'region B took writes during the outage')
    // Each region ships what it took (writes that timed out may have landed too), never what it received.
    assert.ok(shipped.fromA >= shipped.writtenInA && shipped.fromA <= converge.recordsA - shipped.writtenInB, `A shipped ${shipped.fromA}`)
    assert.ok(shipped.fromB >= shipped.writtenInB && shipped.fromB <= converge.recordsB - shipped.writtenInA, `B shipped ${shipped.fromB}`)
  })

  it('with both regions writing the same records, fails over and converges on the latest write of each', async (t) => {
    const unusable = regionsUnusable()
    if (unusable !== undefined) return t.skip(unusable)
    const report = await runRegions({ ...REDUCED, activeActive: true }, (line) => t.diagnostic(line))
    t.diagnostic(JSON.stringify(report))
    const { rpo, converge, shipped, latestWins, lostConflicts } = report
    assert.ok(report.rtoMs < 10_000, `RTO ${report.rtoMs} ms`)
    assert.ok(converge.identical, `A holds ${converge.recordsA} records, B ${converge.recordsB}`)
    assert.equal(converge.ackedMissing, 0, 'every acknowledged write is in both regions')
    assert.ok(converge.ms < 10_000, `converged ${converge.ms} ms after the heal`)
    // Records the application failed to write during the failover are left out: a write that timed
    // out may have landed. So are those whose writes overlapped in time: either may win.
    assert.ok(latestWins.checked > converge.recordsA / 2, `${latestWins.checked} of ${converge.recordsA} records checked`)
    assert.equal(latestWins.wrong, 0, 'both regions hold the latest write of every record')
    assert.equal(latestWins.unknown, 0, 'both regions hold the same version, one an acknowledged write made')
    // B rewrites most keys 50 ms after A: A's shipped version arrives older than B's own, and loses.
    assert.ok(lostConflicts.b > 0, `B refused ${lostConflicts.b} older versions`)
    assert.ok(rpo.missingInB <= Math.ceil((report.options.ratePerSecond * 1000) / 1000), `RPO ${rpo.missingInB} writes`)
    // No loop: each region ships at most the writes it took.
    assert.ok(shipped.fromA <= shipped.writtenInA + 50, `A shipped ${shipped.fromA} of ${shipped.writtenInA} writes it took`)
    assert.ok(shipped.fromB <= shipped.writtenInB + 50, `B shipped ${shipped.fromB} of ${shipped.writtenInB} writes it took`)
  })
})
