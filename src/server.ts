import type { Server } from 'node:http'
import closeWithGrace from 'close-with-grace'
import { createApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

/**
 * Resolves once no connection is open, or after `ms`. Busy connections close after their answer
 * (draining sends `Connection: close`), idle keep-alive ones when their keep-alive timeout ends, which
 * clients know of (`Keep-Alive: timeout=…`) and so do not send on them. Closing an idle one earlier, as
 * `server.close()` does, races a request the client is sending on it: that request is reset.
 */
async function drained (server: Server, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const open = await new Promise<number>((resolve) => { server.getConnections((_err, count) => { resolve(count) }) })
    if (open === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// The process entry: read config, build the app, listen, and shut down cleanly on SIGTERM/SIGINT
// (readiness off and open connections drained, in-flight requests finished, then the database closed
// through app.close()).
async function main (): Promise<void> {
  let config, app
  try {
    config = loadConfig()
    app = await createApp(config)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    console.error(err.message)
    process.exit(1)
  }
  const { SHUTDOWN_DRAIN_MS } = config
  closeWithGrace({ delay: SHUTDOWN_DRAIN_MS + 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info(`${signal} received, shutting down`)
    app.draining.begin()
    await drained(app.server, SHUTDOWN_DRAIN_MS)
    await app.close()
  })
  app.server.maxConnections = config.MAX_CONNECTIONS
  await app.listen({ host: config.HOST, port: config.PORT })
  const url = config.PUBLIC_URL ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${(app.server.address() as { port: number }).port}`
  const database = app.dbDriver === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL'
  console.log(`Solidaria is listening on ${url} (${database}); API documentation at ${url}/docs`)
  if (app.setup.token !== null) {
    const body = JSON.stringify({ token: app.setup.token, email: 'you@example.org', name: 'Your Name', password: 'at least 10 characters' })
    console.log([
      'No organiser exists yet. Create the first admin now (this link works once, on this server):',
      `  ${url}/admin/setup?token=${app.setup.token}`,
      'or with the API:',
      `  curl -X POST ${url}/api/admin/setup -H 'content-type: application/json' -d '${body}'`,
      'or, with the server stopped:',
      '  npm run cli -- organiser create --email you@example.org --name "Your Name" --admin   (password on stdin)',
      'The demo campaign loads with the server stopped: npm run cli -- demo'
    ].join('\n'))
  }
}

await main()
