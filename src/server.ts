import closeWithGrace from 'close-with-grace'
import { createApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

// The process entry: read config, build the app, listen, and shut down cleanly on SIGTERM/SIGINT
// (stop accepting, let in-flight requests finish, then close the database through app.close()).
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
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info(`${signal} received, shutting down`)
    await app.close()
  })
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
