// V8's young generation in a process that runs a node (`aerolite start`). A node keeps its data
// outside the JavaScript heap (write blocks, index columns), so nearly every young object is one
// request's garbage. Left alone, V8 grows the young generation to 16 MiB per semi-space under load;
// each scavenge then sweeps the ArrayBuffers of tens of thousands of socket reads at once (up to
// 2 ms), and a young generation that large leaves the old generation's limit so little slack that
// V8 starts incremental marking every few hundred milliseconds. Kept at its initial 1 MiB per
// semi-space, a scavenge takes ~0.1 ms and full collections come seconds apart
// (bench/results/issue-15-performance.md).
//
// `--max-semi-space-size` is read only when the heap is made, but the growth factor is read at each
// growth: set to 1 before the bundle loads (loading it would already grow the young generation), it
// keeps the initial size. V8 flags are process-wide, so an embedded node never sets it: its host's
// heap is the host's.
'use strict'

/** Stops V8 growing the young generation past its initial size, for a process that is one node. */
function holdYoungGeneration() {
  require('node:v8').setFlagsFromString('--semi-space-growth-factor=1')
}

module.exports = { holdYoungGeneration }
