// The seed application: an HTTP API over one set, on the official Aerospike client, the way an
// application team runs it beside an Aerolite (or Aerospike) cluster.
//   PUT /items/:id     body: a JSON object of bins → 204
//   GET /items/:id     → 200 {"id", "bins", "generation"} or 404
//   DELETE /items/:id  → 204 or 404
//   GET /healthz       → 200 once the client is connected (the readiness probe), 503 before
// Settings from the environment: AEROSPIKE_HOSTS (host:port[,host:port...], default 127.0.0.1:3000),
// AEROSPIKE_NAMESPACE (test), AEROSPIKE_SET (items), PORT (8080).
import { createServer } from 'node:http'
import { createRequire } from 'node:module'

const Aerospike = createRequire(import.meta.url)('aerospike')
const hosts = process.env.AEROSPIKE_HOSTS || '127.0.0.1:3000'
const namespace = process.env.AEROSPIKE_NAMESPACE || 'test'
const set = process.env.AEROSPIKE_SET || 'items'
const port = Number(process.env.PORT || 8080)
const MAX_BODY_BYTES = 1024 * 1024
const ID = /^\/items\/([A-Za-z0-9._~-]{1,128})$/

const CONNECT_RETRY_MAX_MS = 5000

/** Set once connected: the API answers 503 until then. */
let client

// The database may start after the app (or be restarting): keep trying, as a pod would be
// restarted anyway, but without the crash loop.
async function connect() {
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, CONNECT_RETRY_MAX_MS)) {
    try {
      client = await Aerospike.connect({
        hosts,
        log: { level: Aerospike.log.WARN },
        // A cluster that moves partitions answers some commands late: retry rather than fail the request.
        policies: { read: { totalTimeout: 2000, maxRetries: 3 }, write: { totalTimeout: 2000, maxRetries: 3 } },
      })
      console.log(`connected to ${hosts}`)
      return
    } catch (err) {
      console.error(`cannot reach the database at ${hosts} yet (${err.message}); trying again in ${delayMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }
}

function send(res, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' }).end(text)
}

async function readJson(req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error(`body over ${MAX_BODY_BYTES} bytes`), { status: 413 })
    chunks.push(chunk)
  }
  let value
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    throw Object.assign(new Error('body must be a JSON object with at least one bin'), { status: 400 })
  }
  return value
}

async function handle(req, res) {
  const connected = client?.isConnected() === true
  if (req.url === '/healthz') return send(res, connected ? 200 : 503, { connected })
  const match = ID.exec(req.url ?? '')
  if (match === null) return send(res, 404, { error: 'try /items/:id or /healthz' })
  if (!connected) return send(res, 503, { error: `not connected to the database at ${hosts} yet` })
  const key = new Aerospike.Key(namespace, set, match[1])
  try {
    switch (req.method) {
      case 'PUT':
        await client.put(key, await readJson(req))
        return send(res, 204)
      case 'GET': {
        const record = await client.get(key)
        return send(res, 200, { id: match[1], bins: record.bins, generation: record.gen })
      }
      case 'DELETE':
        await client.remove(key)
        return send(res, 204)
      default:
        res.setHeader('allow', 'GET, PUT, DELETE')
        return send(res, 405, { error: `${req.method} is not served` })
    }
  } catch (err) {
    if (err.code === Aerospike.status.ERR_RECORD_NOT_FOUND) return send(res, 404, { error: `no item ${match[1]}` })
    if (err.status !== undefined) return send(res, err.status, { error: err.message })
    console.error(`${req.method} ${req.url}: ${err.message}`)
    return send(res, 502, { error: `the database answered: ${err.message}` })
  }
}

const server = createServer((req, res) => void handle(req, res))
server.listen(port, () => console.log(`seed app on :${port}, database ${hosts}, namespace ${namespace}, set ${set}`))
const connecting = connect()

// Kubernetes stops a pod with SIGTERM: finish the requests in flight, then close the client.
process.once('SIGTERM', () => {
  server.close(() => {
    if (client === undefined) process.exit(0)
    client.close()
    process.exitCode = 0
  })
})
await connecting
