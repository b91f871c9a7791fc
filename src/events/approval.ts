import type { FastifyInstance } from 'fastify'
import type { Appeal } from '../appeals/service.js'
import { siteUrl } from '../config.js'
import { composeEventMail, sendEventMail } from './mail.js'
import type { SolidarityEvent } from './service.js'

/**
 * An organiser approves a supporter's event (the API and the dashboard alike): it shows from now on,
 * and its submitter is told once, with the private report link again.
 */
export async function approveEvent (app: FastifyInstance, appeal: Appeal, id: string): Promise<SolidarityEvent> {
  const { events } = app.services
  const { event, changed } = await events.approve(appeal, id)
  const contact = events.contactOf(event)
  if (changed && contact !== null) {
    const reportToken = events.reportTokenOf(event)
    const base = siteUrl(app.config)
    await sendEventMail(app.mailSender, composeEventMail(app.i18n, 'approved', event, contact, {
      reportUrl: `${base}/events/report/${reportToken}`, eventsUrl: `${base}/appeals/${appeal.slug}/events`, siteName: new URL(base).host
    }), app.log)
  }
  return event
}
