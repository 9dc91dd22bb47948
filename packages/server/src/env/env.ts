// The Env a node receives (clock, scheduler, random, disk, network). The interfaces live in
// @aerolite/protocol so the client package runs on the same Env without depending on the server.
export type { Clock, Disk, Env, EnvError, FileStat, ListenOptions, LockHolder, Network, NetServer, NetSocket, Random, Scheduler, Timer } from '@aerolite/protocol'
export { DiskLockedError } from '@aerolite/protocol'
