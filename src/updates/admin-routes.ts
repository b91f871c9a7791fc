import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SlugParams, withErrors } from '../http/schemas.js'
import { signedIn } from '../organisers/auth.js'
import {
  AudienceSchema, LanguageParams, LanguageQuery, MessagesInput, MessagesSchema, PreviewSchema, presentUpdate, SendInput,
  UpdateInput, UpdateParams, UpdateSchema, UpdateSummary
} from './schemas.js'

// Updates to an appeal's signers, and the texts organisers may write in place of the defaults.
const adminUpdateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { appeals, updates, messages } = app.services
  const tags = ['admin: updates']
  const errors = [401, 404]
  const managed = async (request: { params: { slug: string } }) => appeals.getManaged(signedIn(request as never), request.params.slug)

  app.get('/appeals/:slug/updates', {
    schema: { tags, summary: 'List an appeal\'s updates', params: SlugParams, response: withErrors({ 200: Type.Array(UpdateSummary) }, ...errors) }
  }, async (request) => updates.list(await managed(request)))

  app.post('/appeals/:slug/updates', {
    schema: { tags, summary: 'Write an update (a draft)', params: SlugParams, body: UpdateInput, response: withErrors({ 201: UpdateSchema }, ...errors) }
  }, async (request, reply) => {
    const appeal = await managed(request)
    return reply.code(201).send(presentUpdate(await updates.create(appeal, signedIn(request), request.body)))
  })

  app.get('/appeals/:slug/updates/:id', {
    schema: { tags, summary: 'An update, with its progress (queued, sent, failed)', params: UpdateParams, response: withErrors({ 200: UpdateSchema }, ...errors) }
  }, async (request) => presentUpdate(await updates.get(await managed(request), request.params.id)))

  app.put('/appeals/:slug/updates/:id', {
    schema: { tags, summary: 'Change a draft update', params: UpdateParams, body: UpdateInput, response: withErrors({ 200: UpdateSchema }, ...errors, 409) }
  }, async (request) => presentUpdate(await updates.change(await managed(request), request.params.id, request.body)))

  app.get('/appeals/:slug/updates/:id/audience', {
    schema: { tags, summary: 'How many people the update would reach now', params: UpdateParams, response: withErrors({ 200: AudienceSchema }, ...errors) }
  }, async (request) => {
    const appeal = await managed(request)
    return { recipients: await updates.audienceSize(appeal, await updates.get(appeal, request.params.id)) }
  })

  app.get('/appeals/:slug/updates/:id/preview', {
    schema: { tags, summary: 'The mail as readers of a language get it', params: UpdateParams, querystring: LanguageQuery, response: withErrors({ 200: PreviewSchema }, ...errors) }
  }, async (request) => {
    const appeal = await managed(request)
    return updates.preview(appeal, request.params.id, request.query.language ?? appeal.originalLanguage, signedIn(request).name)
  })

  app.post('/appeals/:slug/updates/:id/test', {
    schema: { tags, summary: 'Send the update to yourself', params: UpdateParams, querystring: LanguageQuery, response: withErrors({ 204: Type.Null() }, ...errors) }
  }, async (request, reply) => {
    const appeal = await managed(request)
    await updates.sendTest(appeal, request.params.id, signedIn(request), request.query.language ?? appeal.originalLanguage)
    return reply.code(204).send(null)
  })

  app.post('/appeals/:slug/updates/:id/send', {
    schema: { tags, summary: 'Send a draft now, or at a set time', params: UpdateParams, body: Type.Optional(SendInput), response: withErrors({ 200: UpdateSchema }, ...errors, 409) }
  }, async (request) => {
    const at = request.body?.at
    return presentUpdate(await updates.send(await managed(request), request.params.id, at === undefined ? undefined : new Date(at)))
  })

  app.post('/appeals/:slug/updates/:id/pause', {
    schema: { tags, summary: 'Pause an update being sent (or waiting for its time)', params: UpdateParams, response: withErrors({ 200: UpdateSchema }, ...errors, 409) }
  }, async (request) => presentUpdate(await updates.pause(await managed(request), request.params.id)))

  app.post('/appeals/:slug/updates/:id/resume', {
    schema: { tags, summary: 'Resume a paused update', params: UpdateParams, response: withErrors({ 200: UpdateSchema }, ...errors, 409) }
  }, async (request) => presentUpdate(await updates.resume(await managed(request), request.params.id)))

  app.get('/appeals/:slug/messages/:language', {
    schema: { tags, summary: 'The organisers\' own texts in one language (null: the default)', params: LanguageParams, response: withErrors({ 200: MessagesSchema }, ...errors) }
  }, async (request) => {
    const all = await messages.all(await managed(request))
    return all[request.params.language] ?? { thanksNext: null, confirmNote: null }
  })

  app.put('/appeals/:slug/messages/:language', {
    schema: { tags, summary: 'Write the thank-you page\'s "what happens next" and the confirmation mail\'s paragraph', params: LanguageParams, body: MessagesInput, response: withErrors({ 200: MessagesSchema }, ...errors) }
  }, async (request) => messages.set(await managed(request), request.params.language, request.body))
}

export default adminUpdateRoutes
