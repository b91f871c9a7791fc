import nodemailer from 'nodemailer'

// The bare side of the mail measurement (4), in a process of its own as the worker is in the app's: a
// nodemailer pool of CONNECTIONS connections with IN_FLIGHT mails in flight, sending mails of SIZE bytes
// (about 700 of headers and MIME parts, the rest split between the text and the HTML part) to the
// bench's SMTP sink at PORT until it is stopped.
const [port, size, connections, inFlight] = ['PORT', 'SIZE', 'CONNECTIONS', 'IN_FLIGHT'].map((name) => Number(process.env[name]))
const bare = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: 1000 })
const body = 'x'.repeat(Math.round((size! - 700) / 2))
const running = { on: true }
process.once('SIGTERM', () => { running.on = false })
await Promise.all(Array.from({ length: inFlight! }, async (_, lane) => {
  for (let i = 0; running.on; i++) {
    await bare.sendMail({ from: 'bench@bench.example.org', to: `bare${lane}-${i}@example.org`, subject: 'We delivered the signatures', text: body, html: `<p>${body}</p>` })
  }
}))
bare.close()
