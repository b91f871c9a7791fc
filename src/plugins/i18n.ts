import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { i18n } from 'i18next'
import { createI18n } from '../i18n/index.js'

declare module 'fastify' {
  interface FastifyInstance { i18n: i18n }
}

async function i18nPlugin (app: FastifyInstance): Promise<void> {
  app.decorate('i18n', createI18n())
}

export default fp(i18nPlugin, { name: 'i18n' })
