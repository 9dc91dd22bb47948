// Planted faults: deliberate bugs the deterministic simulator switches on to prove that its checker
// fails when the cluster breaks its promises (a checker that never fails proves nothing). Only code
// sets them (AeroliteNode's options, for the simulator): no config file, CLI flag, startServer,
// startCluster or the product's start path can. With the set empty nothing behaves differently;
// each fault is one `if (plants.has(...))` branch at the one place it acts:
//   ack-before-replica        replication.ts  Replicator.recordChanged
//   skip-last-migrated        migration.ts    sendPartition
//   no-tombstone-replication  replication.ts  Replicator.recordChanged
//   accept-stale-view         fabric/fabric.ts Fabric.accept

export const PLANT_NAMES = ['ack-before-replica', 'skip-last-migrated', 'no-tombstone-replication', 'accept-stale-view'] as const

export type PlantName = typeof PLANT_NAMES[number]

export type PlantedFaults = ReadonlySet<PlantName>

/** The product's set: no fault planted. */
export const NO_PLANTED_FAULTS: PlantedFaults = new Set<PlantName>()

/** ack-before-replica: how long after the client's answer the master sends the change to its replicas. */
export const PLANTED_REPLICA_DELAY_MS = 50
