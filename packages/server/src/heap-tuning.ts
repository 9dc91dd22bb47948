// V8's heap in a process that is one node (`aerolite start`, the image, the nodes of
// `aerolite cluster`). A node keeps its data outside the JavaScript heap (write blocks, index
// columns), so nearly every young object is one request's garbage. Left alone, V8 grows the young
// generation to 16 MiB per semi-space under load. When each socket read was an ArrayBuffer of its
// own (before env/slab-reads.ts), a scavenge of that size swept tens of thousands of them at once
// (up to 2 ms), and the old generation's limit had so little slack that V8 started incremental
// marking every few hundred milliseconds; 16 MiB has not been measured since. So once the node is
// up the young generation stays the size its start gave it: 2-4 MiB per semi-space, or 8 MiB where
// Aerolite launches the process with `--min-semi-space-size=8` (cli/src/serving-node-flags.ts says
// what that buys: a scavenge every ~40 ms instead of ~11, and almost nothing promoted).
//
// `--max-semi-space-size` is read only when the heap is made, but the growth factor is read at each
// growth. Set before the node starts, it would hold the young generation at its initial 1 MiB per
// semi-space, and a start would take ~15 ms longer (scavenging the modules it loads over and over).
// The old generation gets room too. V8 sets its limit near twice its live size (~18 MiB for a
// node's ~9) and starts incremental marking whenever the room left is less than the young
// generation holds, so a node under steady load ran a Mark-Compact every ~0.6 s (17 in 10 s). A
// limit of three times the live size leaves 4-6 (0.96x CPU per operation, p99 2.65 -> 2.35 ms:
// bench/results/issue-15-heap-growing-ab.json); V8 reads the factor each time it sets a limit.
// Growth of ArrayBuffer memory counts against the same room: with the write blocks untracked
// (storage/untracked-memory.ts) a 10 s run has 2 Mark-Compacts with this limit, 5 without.
//
// V8 flags are process-wide: an embedded node leaves its host's heap alone. node:v8 is reached
// through getBuiltinModule, after the ready line: loading it costs a start ~2 ms. Flags V8 reads
// only at process start are given where Aerolite launches a node (cli/src/serving-node-flags.ts).

/** Stops V8 growing the young generation past its present size, and lets the old one grow to 3x its live size. */
export function tuneHeapForServing(): void {
  const v8 = process.getBuiltinModule('node:v8')
  v8.setFlagsFromString('--semi-space-growth-factor=1')
  v8.setFlagsFromString('--heap-growing-percent=200')
}

/** The young generation's reserved bytes (both semi-spaces). */
export function youngGenerationBytes(): number {
  const spaces = process.getBuiltinModule('node:v8').getHeapSpaceStatistics()
  return spaces.find((space) => space.space_name === 'new_space')?.space_size ?? 0
}
