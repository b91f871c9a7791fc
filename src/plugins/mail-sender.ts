import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createMailSender, type MailSender } from '../mail/transport.js'

declare module 'fastify' {
  interface FastifyInstance { mailSender: MailSender }
}

// Where mail goes (SMTP_URL, or files in DATA_DIR/outbox, or memory), closed with the app.
async function mailSenderPlugin (app: FastifyInstance): Promise<void> {
  const sender = createMailSender(app.config, app.log)
  app.decorate('mailSender', sender)
  app.addHook('onClose', async () => { sender.close() })
}

export default fp(mailSenderPlugin, { name: 'mail-sender', dependencies: ['config'] })
