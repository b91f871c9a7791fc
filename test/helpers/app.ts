import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import postgres from 'postgres'
import type { Test } from 'tap'
import { createApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/connection.js'

export type TestContext = Test

/** Every database test runs on embedded PGlite and, when TEST_DATABASE_URL is set, on PostgreSQL too. */
export const databases: Array<{ name: 'pglite' | 'postgres', serverUrl?: string }> = [
  { name: 'pglite' },
  ...(process.env.TEST_DATABASE_URL !== undefined ? [{ name: 'postgres' as const, serverUrl: process.env.TEST_DATABASE_URL }] : [])
]

export const redisUrl = process.env.TEST_REDIS_URL

/** A brand-new database on the test server, dropped when the test ends. */
export async function freshPostgresDatabase (t: TestContext, serverUrl: string): Promise<string> {
  const name = `solidaria_test_${Date.now()}_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end()
  })
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export const TEST_DATA_KEY = 'dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLTAxMjM='

export function testEnv (env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    DATA_KEY: TEST_DATA_KEY,
    // Tests send queued mail themselves (app.services.mail.worker.runOnce()), when they choose.
    BACKGROUND_JOBS: 'false',
    ...env
  }
}

// Creating and migrating PGlite takes seconds; cloning a migrated one takes a fraction of that.
let template: Promise<PGlite> | undefined
async function freshPglite (): Promise<PGlite> {
  template ??= openDatabase({ dataDir: 'memory://' }).then((handle) => (handle.db as unknown as { $client: PGlite }).$client)
  return await (await template).clone() as PGlite
}

/** Builds the app as the server does, on the given database URL (or a fresh PGlite), closed when the test ends. */
export async function build (t: TestContext, env: Record<string, string | undefined> = {}): Promise<FastifyInstance> {
  const config = loadConfig(testEnv(env))
  const app = await createApp(config, config.DATABASE_URL === undefined ? { pglite: await freshPglite() } : {})
  t.teardown(() => app.close())
  await app.ready()
  return app
}

export interface DbTest { app: FastifyInstance, database: 'pglite' | 'postgres', databaseUrl?: string }

/** Runs `fn` once per database, each time in a freshly created one. */
export function eachDatabase (t: TestContext, name: string, fn: (t: TestContext, ctx: DbTest) => Promise<void>, env: Record<string, string> = {}): void {
  for (const database of databases) {
    t.test(`${name} [${database.name}]`, async (t) => {
      const databaseUrl = database.serverUrl === undefined ? undefined : await freshPostgresDatabase(t, database.serverUrl)
      const app = await build(t, { ...env, DATABASE_URL: databaseUrl })
      await fn(t, { app, database: database.name, ...(databaseUrl !== undefined && { databaseUrl }) })
    })
  }
}

export function json<T = any> (response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T
}
