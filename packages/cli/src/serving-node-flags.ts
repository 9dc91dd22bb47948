// The V8 flags a node runs with wherever Aerolite starts its process itself: the image's
// entrypoint (Dockerfile, and the Helm chart's `image.entrypoint`), the nodes of `aerolite
// cluster`, and the performance baseline (bench/run.mjs). A test checks that each names them all.
//
// --single-threaded-gc: a node's JavaScript heap is small (records live outside it), and the main
// thread is the one that serves. V8's helper threads (parallel scavenge, concurrent marking and
// sweeping) compete with it for the same cores, and where the cores are busy the main thread then
// waits on a helper the scheduler has not run: stalls of 3-8 ms. With the whole collection on the
// main thread most pauses take 1-2 ms (the longest 2-5.4 ms), at the same CPU per operation
// (bench/results/issue-15-performance.md, fifth pass). V8 reads the flag only when the process
// starts, so `npx aerolite start` runs without it.
export const SERVING_NODE_FLAGS: readonly string[] = ['--single-threaded-gc']
