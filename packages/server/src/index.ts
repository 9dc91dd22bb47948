export { startServer, type EmbeddedServer } from './embedded.ts'
export { AeroliteNode, type NodeOptions } from './node.ts'
export { buildConfig, StartOptionError, type StartOptions } from './options.ts'
export { runNodeProcess } from './main.ts'
export * from './config/index.ts'
export { limits } from './limits.ts'
export { realEnv } from './env/real-env.ts'
export { manualEnv, ManualClock, ManualScheduler, SeededRandom, type ManualEnv, type ManualEnvOptions } from './env/manual-env.ts'
export { MemoryDisk } from './env/memory-disk.ts'
<<<<<<< HEAD
export { startCluster, type EmbeddedCluster, type StartClusterOptions, type ClusterNodeAddress } from './embedded-cluster.ts'
=======
export { makeView, clusterKeyText, type Endpoint, type MemberInfo, type View } from './cluster/view.ts'
export type { ClusterMetadata, Membership } from './cluster/membership.ts'
export { CompactedError, LeaseGoneError, StoreUnavailableError, type GrantedLease, type MembershipStore, type RangeResult, type StoreEvent, type StoreKv, type StoreWatch, type WatchHandlers } from './cluster/membership-store.ts'
export { InProcessStore } from './cluster/in-process-store.ts'
export { EtcdStore, type EtcdStoreOptions } from './cluster/etcd-store.ts'
export { StoreMembership, leaseMarginMs, leaseTtlSeconds, type HeartbeatSettings, type MembershipLog, type StoreMembershipOptions } from './cluster/membership-client.ts'
>>>>>>> membership
