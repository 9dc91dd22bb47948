// Worker bootstrap: TypeScript sources need the tsx loader in this thread, whatever the parent used.
import { register } from 'tsx/esm/api'

register()
await import('./embedded-node.ts')
