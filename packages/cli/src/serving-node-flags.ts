// The V8 flags a node runs with wherever Aerolite starts its process itself: the image's
// entrypoint (Dockerfile, and the Helm chart's `image.entrypoint`), the nodes of `aerolite
// cluster`, and the performance baseline (bench/run.mjs). A test checks that each names them all.
//
// --single-threaded-gc: a node's JavaScript heap is small (records live outside it), and the main
// thread is the one that serves. V8's helper threads (parallel scavenge, concurrent marking and
// sweeping) compete with it for the same cores, and where the cores are busy the main thread then
// waits on a helper the scheduler has not run: stalls of 3-8 ms. With the whole collection on the
// main thread most pauses take 1-2 ms (the longest 2-5.4 ms), at the same CPU per operation
// (bench/results/issue-15-performance.md, fifth pass).
//
// --min-semi-space-size=8: a young generation of 8 MiB per semi-space from the start (V8 would
// begin at 1 MiB, and heap-tuning.ts stops its growth once the node is up, at 2-4 MiB). A scavenge
// then comes every ~40 ms instead of every ~11 ms under load, so a request's buffers (a socket's
// read slab lives ~5 ms) are rarely still alive at two scavenges and promoted: the old generation
// grows far slower, and a 30 s benchmark run at 100k or 1M keys has no Mark-Compact instead of
// 2-4 of 1.3-3.3 ms, at the same CPU per operation (seventh pass). Costs ~10 MiB of RSS per node,
// not per record.
//
// V8 reads both only when the process starts, so `npx aerolite start` runs without them.
export const SERVING_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--min-semi-space-size=8']
