import { sql } from 'drizzle-orm'
import { selectRows, type Database } from '../db/connection.js'
import { appeals, signatureCountChanges, signatureCounts, signatures } from '../db/schema.js'
import type { Signature } from '../signatures/signature.js'
import { lockFolding } from './rollup.js'

/** One appeal, country and kind whose kept counts (rollup and changes not folded) are not what its signatures count. */
export interface CountDifference {
  appealId: string
  /** Null for an appeal that no longer exists (its counts should have gone with it). */
  slug: string | null
  country: string
  kind: Signature['kind']
  counted: { signatures: number, members: number }
  kept: { signatures: number, members: number }
}

/**
 * Counts every appeal's signatures afresh and compares them with the rollup (stats/rollup.ts), in one
 * snapshot; with `repair`, rewrites the rollup where they differ, so that it and the changes not yet folded
 * add up to the recount, and removes the counts of appeals that are gone. The repair holds the fold's
 * lock, so that no fold moves changes between the recount and the rewrite. Returns what differed.
 */
export async function recountCounts (db: Database, options: { repair: boolean }): Promise<CountDifference[]> {
  return db.transaction(async (tx) => {
    // A scan of every counted signature: at ten million, longer than a request's deadline.
    await tx.execute(sql`set local statement_timeout = 0`)
    if (options.repair) await lockFolding(tx)
    const rows = await selectRows<{
      appeal_id: string, slug: string | null, country: string, kind: Signature['kind'],
      counted_signatures: string, counted_members: string, kept_signatures: string, kept_members: string
    }>(tx, sql`
      with counted as (
        select appeal_id, country, kind, count(*) as signatures, coalesce(sum(members), 0) as members from ${signatures}
        where status = 'confirmed' and hidden_at is null group by appeal_id, country, kind),
      unfolded as (
        select appeal_id, country, kind, sum(signatures) as signatures, sum(members) as members from ${signatureCountChanges}
        group by appeal_id, country, kind),
      kept as (
        select appeal_id, country, kind, sum(signatures) as signatures, sum(members) as members from (
          select appeal_id, country, kind, signatures, members from ${signatureCounts}
          union all
          select appeal_id, country, kind, signatures, members from unfolded) as both_tables
        group by appeal_id, country, kind),
      differing as (
        select appeal_id, country, kind, a.id is not null as appeal_exists,
          coalesce(c.signatures, 0) as counted_signatures, coalesce(c.members, 0) as counted_members,
          coalesce(k.signatures, 0) as kept_signatures, coalesce(k.members, 0) as kept_members
        from counted c full join kept k using (appeal_id, country, kind) left join ${appeals} a on a.id = appeal_id
        where (coalesce(c.signatures, 0), coalesce(c.members, 0)) <> (coalesce(k.signatures, 0), coalesce(k.members, 0))),
      repaired as (
        insert into ${signatureCounts} as r (appeal_id, country, kind, signatures, members)
        select d.appeal_id, d.country, d.kind, d.counted_signatures - coalesce(u.signatures, 0), d.counted_members - coalesce(u.members, 0)
        from differing d left join unfolded u using (appeal_id, country, kind)
        where ${options.repair} and d.appeal_exists
        on conflict (appeal_id, country, kind) do update set signatures = excluded.signatures, members = excluded.members),
      gone_counts as (
        delete from ${signatureCounts} where ${options.repair} and appeal_id in (select appeal_id from differing where not appeal_exists)),
      gone_changes as (
        delete from ${signatureCountChanges} where ${options.repair} and appeal_id in (select appeal_id from differing where not appeal_exists))
      select d.appeal_id, a.slug, d.country, d.kind, d.counted_signatures::text, d.counted_members::text, d.kept_signatures::text, d.kept_members::text
      from differing d left join ${appeals} a on a.id = d.appeal_id
      order by a.slug, d.appeal_id, d.country, d.kind`)
    return rows.map((row) => ({
      appealId: row.appeal_id,
      slug: row.slug,
      country: row.country,
      kind: row.kind,
      counted: { signatures: Number(row.counted_signatures), members: Number(row.counted_members) },
      kept: { signatures: Number(row.kept_signatures), members: Number(row.kept_members) }
    }))
  })
}
