// What the simulator (packages/sim) builds clusters from, beyond the public API: the simulated
// network and node env, and the partition table to check copies against.
export { SimNetwork, type SimNetworkOptions } from './env/sim-network.ts'
export { simNodeEnv, type ClockSkew, type SimNodeEnv } from './env/sim-node-env.ts'
export { computePartitionTable, type PartitionTable } from './cluster/partition-table.ts'
export { readBins } from './record/layout.ts'
export type { Bin } from './record/bins.ts'
export { loadCodecs } from './storage/compression.ts'
