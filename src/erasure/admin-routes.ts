import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { withErrors } from '../http/schemas.js'
import { actorOf, signedIn } from '../organisers/auth.js'
import { recordErasureByEmail } from './audit.js'
import { ErasureInput } from './schemas.js'

// A person asks to be forgotten: an organiser erases every signature of that address on the appeals
// they manage (all appeals, for an admin), and learns on which of them there was one.
const erasureAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, erasure, audit, fund } = app.services

  app.post('/erasures', {
    schema: {
      tags: ['admin: signatures'],
      summary: 'Erase a person\'s signatures on every appeal you manage, by their email address',
      body: ErasureInput,
      response: withErrors({
        200: Type.Object({
          erased: Type.Integer({ description: 'how many signatures were erased' }),
          appeals: Type.Array(Type.String(), { description: 'the addresses (slugs) of the appeals they were on' }),
          contributions: Type.Integer({ description: 'how many of their reports to those appeals\' funds were emptied of personal data (amounts stay in the account)' })
        })
      }, 401)
    }
  }, async (request) => {
    const managed = await appeals.managedSlugs(signedIn(request), 'signatures.erase')
    const result = await erasure.eraseByEmail(managed, request.body.email)
    const contributions = await fund.eraseByEmail(managed.map((a) => a.id), request.body.email)
    await recordErasureByEmail(audit, actorOf(request), managed, result)
    return { ...result, contributions }
  })
}

export default erasureAdminRoutes
