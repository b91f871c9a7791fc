import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { ConfigSchema, projectRoot } from '../../src/config.js'
import type { TestContext } from './app.js'
import { programArguments } from './programs.js'

// Real server processes for the tests that kill one (SIGKILL: no shutdown code runs) and start another.

export interface Server { proc: ChildProcess, url: string, output: () => string, exited: Promise<unknown> }

export async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

export async function startServer (t: TestContext, env: Record<string, string>): Promise<Server> {
  const childEnv: Record<string, string | undefined> = { ...process.env }
  for (const key of Object.keys(ConfigSchema.properties)) delete childEnv[key]
  Object.assign(childEnv, { HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'info' }, env)
  const proc = spawn(process.execPath, programArguments('src/server.ts'), { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  for (const stream of [proc.stdout, proc.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  t.teardown(async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited } })
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (output.includes('Solidaria is listening on')) return { proc, url: `http://127.0.0.1:${childEnv.PORT}`, output: () => output, exited }
    if (proc.exitCode !== null) break
  }
  throw new Error(`the server did not start:\n${output}`)
}

/** What the server printed that matches `pattern` (its first group), waited for: the set-up token follows the "listening" line. */
export async function printed (server: Server, pattern: RegExp): Promise<string | undefined> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const found = pattern.exec(server.output())?.[1]
    if (found !== undefined) return found
  }
  return undefined
}

export async function call (server: Server, method: string, path: string, body?: unknown, cookie?: string) {
  const send = () => fetch(server.url + path, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(cookie !== undefined && { cookie }) },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  // A kept-alive connection the server closed as it was reused resets a GET: asked once more on a new one.
  const response = await send().catch(async (err: unknown) => {
    if (method !== 'GET' || !String((err as { cause?: unknown }).cause ?? err).includes('ECONNRESET')) throw err
    return send()
  })
  return { status: response.status, body: await response.json() as any, cookie: response.headers.get('set-cookie')?.split(';')[0] }
}
