import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NODE_ARGS } from '../node-args.js'

// `npm test` runs the tests compiled ahead of time (test/run.js writes src/, test/ and web/ to
// .test-build/ as JavaScript), so that no loader hook sits in front of every import of every process;
// `npx tap test/….test.ts` runs one file through tsx. A program a test starts (the server, the CLI) is
// run the same way as the test that starts it.
const compiledRoot = import.meta.url.endsWith('.js') ? join(import.meta.dirname, '..', '..') : undefined

/** The node arguments that run one of the project's programs, named by its source (e.g. `src/server.ts`), from the project's root. */
export function programArguments (source: string): string[] {
  return compiledRoot === undefined ? ['--import=tsx', source] : [...NODE_ARGS, compiledFile(source)]
}

/** The node arguments for a script (`-e`) that imports the module `source` (e.g. `src/db/connection.ts`) as `module`. */
export function scriptArguments (source: string, body: string): string[] {
  const url = JSON.stringify(pathToFileURL(compiledRoot === undefined ? source : compiledFile(source)).href)
  return [...(compiledRoot === undefined ? ['--import=tsx'] : NODE_ARGS), '--input-type=module', '-e', `const module = await import(${url})\n${body}`]
}

function compiledFile (source: string): string {
  return join(compiledRoot ?? '', source.replace(/\.ts$/, '.js'))
}
