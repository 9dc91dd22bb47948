// Worker bootstrap: runs the embedded node (or, given `cluster`, the nodes of an embedded cluster)
// from a bundle of the TypeScript sources, since a TypeScript loader would cost this thread ~300 ms to start.
import { workerData } from 'node:worker_threads'
import { loadFreshBundle } from '../bundle.cjs'

const entry = workerData?.cluster === undefined ? 'embedded-node' : 'embedded-cluster-node'
await loadFreshBundle(`server/src/${entry}.ts`, `${entry}.cjs`)
