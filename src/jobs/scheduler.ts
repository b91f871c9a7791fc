import { and, eq, lte, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/connection.js'
import { scheduledJobs } from '../db/schema.js'

// Periodic work shared by every instance without a coordinator: a job's row in scheduled_jobs says
// when it is next due, and the instance whose UPDATE moves that time forward runs it. Another instance
// checking at the same moment finds it no longer due.

export interface ScheduledJob {
  name: string
  everyMs: number
  /** Does the work; what it returns is recorded as the job's last result. */
  run: () => Promise<unknown>
}

export function createScheduler (db: Database, jobs: ScheduledJob[], options: { log: FastifyBaseLogger }) {
  /** Runs the job if it is due and no other instance took it first. Returns whether this one ran it. */
  async function runIfDue (job: ScheduledJob, now = new Date()): Promise<boolean> {
    await db.insert(scheduledJobs).values({ name: job.name, nextRunAt: now }).onConflictDoNothing()
    const [claimed] = await db.update(scheduledJobs)
      .set({ nextRunAt: new Date(now.getTime() + job.everyMs), lastStartedAt: now })
      .where(and(eq(scheduledJobs.name, job.name), lte(scheduledJobs.nextRunAt, now))).returning({ name: scheduledJobs.name })
    if (claimed === undefined) return false
    let result: string
    try {
      result = JSON.stringify(await job.run()) ?? 'done'
      options.log.info({ job: job.name, result }, `scheduled job ${job.name} done`)
    } catch (err) {
      result = `failed: ${(err as Error).message}`.slice(0, 500)
      options.log.error({ err, job: job.name }, `scheduled job ${job.name} failed; it runs again when next due`)
    }
    await db.update(scheduledJobs).set({ lastFinishedAt: sql`now()`, lastResult: result }).where(eq(scheduledJobs.name, job.name))
    return true
  }

  return {
    runIfDue,
    /** Runs whichever jobs are due. */
    async runDue (): Promise<void> {
      for (const job of jobs) await runIfDue(job)
    }
  }
}

export type Scheduler = ReturnType<typeof createScheduler>
