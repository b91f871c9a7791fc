import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { paths } from '../config.js'
import { openDatabase, type Database, type DatabaseOptions } from '../db/connection.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    dbDriver: 'pglite' | 'postgres'
  }
}

async function databasePlugin (app: FastifyInstance, opts: { pglite?: DatabaseOptions['pglite'] }): Promise<void> {
  const handle = await openDatabase({
    ...(opts.pglite !== undefined && { pglite: opts.pglite }),
    url: app.config.DATABASE_URL,
    dataDir: paths.dataDir(app.config),
    poolSize: app.config.DATABASE_POOL_SIZE,
    connectTimeoutMs: app.config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: app.config.DATABASE_STATEMENT_TIMEOUT_MS,
    onConnect: () => { app.outages.database.recovered() }
  })
  app.decorate('db', handle.db)
  app.decorate('dbDriver', handle.driver)
  // Registered here so that app.close() is the one shutdown path: in-flight requests end, then the database.
  app.addHook('onClose', async () => { await handle.close() })
}

export default fp(databasePlugin, { name: 'database' })
