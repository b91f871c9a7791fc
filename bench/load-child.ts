import autocannon, { type Instance, type Result } from 'autocannon'
import type { Load } from './load.js'

// The load generator, in a process of its own so that it can be pinned to a core apart from the servers
// it measures (bench/load.ts starts it). It runs the loads in argv[3] (JSON) side by side, tells its parent
// when they have started, and sends back their results when they end or when it is told to stop (SIGTERM).
// argv[2] is a number of its own for this process: it keeps its signers' emails apart from other processes'.
const tag = process.argv[2] ?? '0'
const loads = JSON.parse(process.argv[3] ?? '[]') as Load[]
const instances: Instance[] = []
process.once('SIGTERM', () => { for (const instance of instances) instance.stop() })

let signer = 0
function run (load: Load): Promise<Result> {
  const target = new URL(load.url)
  const options: autocannon.Options = {
    url: load.url,
    connections: load.connections,
    duration: load.duration,
    pipelining: 1,
    ...(load.overallRate !== undefined && { overallRate: load.overallRate }),
    // Each request a new signer, as a campaign has.
    ...(load.signs === true && {
      requests: [{
        method: 'POST',
        path: target.pathname,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ kind: 'individual', name: 'Bench Signer', email: `b${tag}-${++signer}@example.org`, country: 'VE', public: true })
        })
      }]
    })
  }
  return new Promise((resolve, reject) => {
    instances.push(autocannon(options, (err: unknown, result) => { if (err !== null && err !== undefined) reject(err); else resolve(result) }))
  })
}

const results = Promise.all(loads.map(run))
process.send?.({ started: true })
process.send?.({ results: await results }, () => process.exit(0))
