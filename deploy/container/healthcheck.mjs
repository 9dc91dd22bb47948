// The image's health check: the node's /ready on its HTTP port (AEROLITE_HTTP_PORT, 9145 in the image).
const port = process.env.AEROLITE_HTTP_PORT || '9145'
const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
process.exitCode = response?.ok === true ? 0 : 1
