import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { paths } from '../config.js'
import { openDatabase, type Database, type DatabaseOptions } from '../db/connection.js'
import type { ReplicaState } from '../db/replicas.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    /** Public reads and exports: a read replica when DATABASE_READ_URL names any (falling back to the primary), else `db`. */
    readDb: Database
    /** The mail worker's and the update queueing's own connections (see db/connection.ts). */
    backgroundDb: Database
    replicas: readonly ReplicaState[]
    dbDriver: 'pglite' | 'postgres'
  }
}

async function databasePlugin (app: FastifyInstance, opts: { pglite?: DatabaseOptions['pglite'] }): Promise<void> {
  const handle = await openDatabase({
    ...(opts.pglite !== undefined && { pglite: opts.pglite }),
    url: app.config.DATABASE_URL,
    dataDir: paths.dataDir(app.config),
    poolSize: app.config.DATABASE_POOL_SIZE,
    // Only an instance that does background work needs connections for it.
    backgroundPoolSize: app.config.BACKGROUND_JOBS ? app.config.DATABASE_BACKGROUND_POOL_SIZE : 0,
    connectTimeoutMs: app.config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: app.config.DATABASE_STATEMENT_TIMEOUT_MS,
    onConnect: () => { app.outages.database.recovered() },
    preparedStatements: app.config.DATABASE_PREPARED_STATEMENTS,
    readUrls: (app.config.DATABASE_READ_URL ?? '').split(',').map((url) => url.trim()).filter((url) => url !== ''),
    readMaxLagMs: app.config.DATABASE_READ_MAX_LAG_MS,
    readCheckMs: app.config.DATABASE_READ_CHECK_MS,
    onReplicaChange: (replica) => {
      if (replica.usable) app.log.info(`Read replica ${replica.host} is in use (${replica.lagMs ?? 0} ms behind the primary)`)
      else app.log.warn(`Read replica ${replica.host} is left out: ${replica.reason}; its reads go elsewhere until it recovers`)
    }
  })
  app.decorate('db', handle.db)
  app.decorate('readDb', handle.readDb)
  app.decorate('backgroundDb', handle.backgroundDb)
  app.decorate('replicas', handle.replicas ?? [])
  app.decorate('dbDriver', handle.driver)
  // Registered here so that app.close() is the one shutdown path: in-flight requests end, then the database.
  app.addHook('onClose', async () => { await handle.close() })
}

export default fp(databasePlugin, { name: 'database' })
