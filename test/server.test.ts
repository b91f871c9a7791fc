import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { ConfigSchema, projectRoot } from '../src/config.js'
import { migratedDataDir, type TestContext } from './helpers/app.js'
import { programArguments } from './helpers/programs.js'

interface Server {
  child: ChildProcessWithoutNullStreams
  output: () => string
  /** Resolves with the first match of `pattern` in stdout, from the start (fails after `ms`). */
  waitFor: (pattern: RegExp, ms?: number) => Promise<RegExpMatchArray>
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

function startServer (t: TestContext, env: Record<string, string>): Server {
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const key of Object.keys(ConfigSchema.properties)) delete childEnv[key]
  // MAX_EVENT_LOOP_DELAY_MS=0 as in every test: a busy test machine is not an overloaded instance.
  Object.assign(childEnv, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: t.testdir(), MAX_EVENT_LOOP_DELAY_MS: '0' }, env)
  const child = spawn(process.execPath, programArguments('src/server.ts'), { cwd: projectRoot, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; for (const w of waiters) w() })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => { resolve({ code, signal }); for (const w of waiters) w() })
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return {
    child,
    exited,
    output: () => `stdout:\n${stdout}\nstderr:\n${stderr}`,
    waitFor: (pattern, ms = 60_000) => new Promise((resolve, reject) => {
      const check = (): void => {
        const match = stdout.match(pattern)
        if (match !== null) { done(); resolve(match); return }
        if (child.exitCode !== null || child.signalCode !== null) { done(); reject(new Error(`server exited before printing ${pattern}\n${stdout}\n${stderr}`)) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`no ${pattern} within ${ms} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`)) }, ms)
      const done = (): void => { clearTimeout(timer); waiters.delete(check) }
      waiters.add(check)
      check()
    })
  }
}

/** The exit status, or a failure when the process is still running after `ms`. */
async function exitWithin (server: Server, ms: number): Promise<{ code: number | null, signal: NodeJS.Signals | null } | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
  const result = await Promise.race([server.exited, timeout])
  clearTimeout(timer)
  return result
}

t.test('the server starts, answers, hints at the first organiser and shuts down gracefully', { timeout: 120_000 }, async (t) => {
  const server = startServer(t, {})
  const [, url] = await server.waitFor(/listening on (http:\/\/[^\s]+)/)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'prints the address it listens on')
  t.not(url, 'http://127.0.0.1:0', 'with the port actually chosen')
  await server.waitFor(/npm run cli -- organiser create/)
  t.pass('prints how to create the first organiser while there is none')

  const response = await fetch(`${url!}/api/appeals`)
  t.equal(response.status, 200)
  t.same(await response.json(), { items: [] })

  const started = Date.now()
  server.child.kill('SIGTERM')
  const result = await exitWithin(server, 15_000)
  t.same(result, { code: 0, signal: null }, `exits with code 0 after SIGTERM (took ${Date.now() - started} ms)\n${result === 'timeout' ? server.output() : ''}`)
})

t.test('a request in flight when SIGTERM arrives is still answered', { timeout: 120_000 }, async (t) => {
  // info-level logs tell when the server has the request and when it has begun shutting down, so no sleeps are needed.
  const server = startServer(t, { LOG_LEVEL: 'info', DATA_DIR: await migratedDataDir(t) })
  const [, url] = await server.waitFor(/listening on (http:\/\/[^\s]+)/)
  const { hostname, port } = new URL(url!)

  const socket = connect({ host: hostname, port: Number(port) })
  await once(socket, 'connect')
  t.teardown(() => socket.destroy())
  let received = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => { received += chunk })
  const body = JSON.stringify({ kind: 'individual', name: 'Ana', email: 'ana@example.org', country: 'VE', public: true })
  const half = Math.floor(body.length / 2)
  // Headers and half the body: the request is in flight until the rest arrives.
  socket.write(`POST /api/appeals/in-flight-appeal/signatures HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`)
  await server.waitFor(/"msg":"incoming request"[^\n]*in-flight-appeal|in-flight-appeal[^\n]*"msg":"incoming request"/)

  server.child.kill('SIGTERM')
  await server.waitFor(/SIGTERM received, shutting down/)
  t.equal(server.child.exitCode, null, 'the server waits for the request in flight')
  socket.end(body.slice(half))
  await once(socket, 'close')
  t.match(received, /^HTTP\/1\.1 404 /, `the request is answered\n${received}`)
  t.match(received, /"code":"APPEAL_NOT_FOUND"/, 'by the route, which still had its database')

  const result = await exitWithin(server, 15_000)
  t.same(result, { code: 0, signal: null }, `then the server exits with code 0\n${result === 'timeout' ? server.output() : ''}`)
})

t.test('a bad configuration stops the server with a message naming the setting, without a stack trace', { timeout: 60_000 }, async (t) => {
  const server = startServer(t, { PORT: 'abc' })
  const result = await exitWithin(server, 30_000)
  t.same(result, { code: 1, signal: null }, 'exits with code 1')
  t.match(server.output(), /PORT/)
  t.notMatch(server.output(), /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace')
})

t.test('a server database without SECRET_KEY stops with a configuration message, not a crash', { timeout: 60_000 }, async (t) => {
  // Nothing listens on port 1: the check must come before any connection is tried.
  const server = startServer(t, { DATABASE_URL: 'postgres://127.0.0.1:1/solidaria' })
  const result = await exitWithin(server, 30_000)
  t.same(result, { code: 1, signal: null }, 'exits with code 1')
  t.match(server.output(), /SECRET_KEY/, 'naming the missing setting')
  t.notMatch(server.output(), /^\s+at .+:\d+:\d+\)?$/m, 'like any other bad setting, without a stack trace')
})

t.test('SIGTERM under keep-alive load resets no request: each is answered, 200 or 503 with connection: close', { timeout: 120_000 }, async (t) => {
  const server = startServer(t, { SHUTDOWN_DRAIN_MS: '5000', DATA_DIR: await migratedDataDir(t) })
  const [, url] = await server.waitFor(/listening on (http:\/\/[^\s]+)/)
  const { hostname, port } = new URL(url!)
  const connections = 8
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  t.teardown(() => agent.destroy())
  const statuses: Record<string, number> = {}
  const failures: string[] = []
  let answered = 0
  const get = async (path: string): Promise<{ status: number, connection: string | undefined }> => await new Promise((resolve, reject) => {
    request({ host: hostname, port, path, agent }, (response) => {
      response.resume()
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }) })
    }).on('error', reject).end()
  })
  // Each client sends on its keep-alive connection until the server says it closes it (bounded either way).
  const client = async (): Promise<void> => {
    for (let i = 0; i < 2000; i++) {
      try {
        const { status, connection } = await get(i % 2 === 0 ? '/api/appeals' : '/health/ready')
        answered++
        const key = `${status}${status === 503 ? ` connection: ${connection ?? ''}` : ''}`
        statuses[key] = (statuses[key] ?? 0) + 1
        if (connection === 'close') return
      } catch (err) {
        failures.push(`${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`)
        return
      }
    }
  }
  const clients = Array.from({ length: connections }, client)
  // SIGTERM once every connection is busy (a few answers each), bounded in time.
  const busy = (): boolean => answered >= connections * 5
  for (let waited = 0; !busy() && waited < 20_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
  server.child.kill('SIGTERM')
  await Promise.all(clients)
  t.same(failures, [], 'no request was reset or left without an answer')
  t.same(Object.keys(statuses).sort(), ['200', '503 connection: close'], `every answer is 200, or 503 closing its connection (${JSON.stringify(statuses)})`)
  const result = await exitWithin(server, 15_000)
  t.same(result, { code: 0, signal: null }, `the server then exits with code 0\n${result === 'timeout' ? server.output() : ''}`)
})

t.test('slow-drip clients are cut off within the configured timeouts, and connections are capped', { timeout: 120_000 }, async (t) => {
  const server = startServer(t, { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000', MAX_CONNECTIONS: '3', DATA_DIR: await migratedDataDir(t) })
  const [, url] = await server.waitFor(/listening on (http:\/\/[^\s]+)/)
  const { hostname, port } = new URL(url!)
  /** Opens a connection that sends `head` and then one more byte every 200 ms; resolves with how long the server kept it. */
  const drip = async (head: string): Promise<number> => {
    const socket = connect({ host: hostname, port: Number(port) })
    t.teardown(() => socket.destroy())
    await once(socket, 'connect')
    const started = Date.now()
    socket.write(head)
    const timer = setInterval(() => { if (!socket.destroyed) socket.write('a') }, 200)
    // The server may cut it with a reset; `once(socket, 'close')` would reject on that error.
    const closed = new Promise((resolve) => socket.on('error', () => {}).on('close', resolve))
    socket.resume()
    // Bounded: a connection still open after 10 s fails the test below.
    const bound = setTimeout(() => socket.destroy(), 10_000)
    await closed
    clearInterval(timer)
    clearTimeout(bound)
    return Date.now() - started
  }
  const headers = drip(`GET /api/appeals HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `)
  const body = drip(`POST /api/appeals/x/signatures HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"`)
  // The headers deadline is checked once a second: closed within about a second of it, never left open.
  const [headersMs, bodyMs] = await Promise.all([headers, body])
  t.ok(headersMs >= 900 && headersMs < 4000, `a client dripping its headers is cut off after HEADERS_TIMEOUT_MS (${headersMs} ms)`)
  t.ok(bodyMs >= 1900 && bodyMs < 5000, `a client dripping its body is cut off after REQUEST_TIMEOUT_MS (${bodyMs} ms)`)

  const open = await Promise.all(Array.from({ length: 4 }, async () => {
    const socket = connect({ host: hostname, port: Number(port) })
    t.teardown(() => socket.destroy())
    socket.on('error', () => {})
    await once(socket, 'connect')
    return socket
  }))
  // Past MAX_CONNECTIONS the server closes a new connection at once; the others stay open.
  const closed = await Promise.race([new Promise((resolve) => open[3]!.on('close', () => resolve(true))), new Promise((resolve) => setTimeout(() => resolve(false), 2000))])
  t.ok(closed, 'a connection past MAX_CONNECTIONS is closed')
  t.equal(open.slice(0, 3).filter((socket) => socket.destroyed).length, 0, 'those within it stay open')
})
