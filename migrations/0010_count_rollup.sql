CREATE TABLE "signature_count_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "signature_count_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"appeal_id" uuid NOT NULL,
	"country" text NOT NULL,
	"kind" "signature_kind" NOT NULL,
	"signatures" integer NOT NULL,
	"members" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signature_counts" (
	"appeal_id" uuid NOT NULL,
	"country" text NOT NULL,
	"kind" "signature_kind" NOT NULL,
	"signatures" bigint NOT NULL,
	"members" bigint NOT NULL,
	CONSTRAINT "signature_counts_appeal_id_country_kind_pk" PRIMARY KEY("appeal_id","country","kind")
);
--> statement-breakpoint
CREATE INDEX "signature_count_changes_appeal_idx" ON "signature_count_changes" USING btree ("appeal_id");--> statement-breakpoint
-- What a statement on signatures changed in the counts, appended as one row per appeal, country and kind
-- (never one per signature, and never an update of a shared row: signing contends on nothing here). Only
-- signatures that count (confirmed and not hidden, as signatures/public-lists.ts says) are counted: an
-- update adds what its rows count now and takes away what they counted before, so one that changes no
-- count (a seal, a contact consent, a retention) cancels out and appends nothing.
CREATE FUNCTION solidaria_signature_count_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO signature_count_changes (appeal_id, country, kind, signatures, members)
    SELECT appeal_id, country, kind, count(*), coalesce(sum(members), 0) FROM new_rows
    WHERE status = 'confirmed' AND hidden_at IS NULL
    GROUP BY appeal_id, country, kind;
  ELSIF TG_OP = 'DELETE' THEN
    -- An appeal's deletion deletes its signatures (the foreign key's cascade) and its counts (the trigger
    -- on appeals, below), and this runs after both: it must append nothing for an appeal that is gone.
    INSERT INTO signature_count_changes (appeal_id, country, kind, signatures, members)
    SELECT appeal_id, country, kind, -count(*), -coalesce(sum(members), 0) FROM old_rows
    WHERE status = 'confirmed' AND hidden_at IS NULL AND EXISTS (SELECT 1 FROM appeals WHERE appeals.id = old_rows.appeal_id)
    GROUP BY appeal_id, country, kind;
  ELSE
    INSERT INTO signature_count_changes (appeal_id, country, kind, signatures, members)
    SELECT appeal_id, country, kind, sum(n), sum(m) FROM (
      SELECT appeal_id, country, kind, 1 AS n, coalesce(members, 0)::bigint AS m FROM new_rows
      WHERE status = 'confirmed' AND hidden_at IS NULL
      UNION ALL
      SELECT appeal_id, country, kind, -1, -coalesce(members, 0)::bigint FROM old_rows
      WHERE status = 'confirmed' AND hidden_at IS NULL
    ) AS changed
    GROUP BY appeal_id, country, kind
    HAVING sum(n) <> 0 OR sum(m) <> 0;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER signatures_inserted_count AFTER INSERT ON signatures
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION solidaria_signature_count_changes();
--> statement-breakpoint
CREATE TRIGGER signatures_updated_count AFTER UPDATE ON signatures
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION solidaria_signature_count_changes();
--> statement-breakpoint
CREATE TRIGGER signatures_deleted_count AFTER DELETE ON signatures
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION solidaria_signature_count_changes();
--> statement-breakpoint
-- A deleted appeal's counts go with it. This fires after the statement's row triggers, the foreign keys'
-- cascades among them: its signatures are gone by then, and nothing can append more changes, since they
-- can no longer be written. (Their deletion's own statement trigger runs later still: it appends nothing
-- for an appeal that is gone.)
CREATE FUNCTION solidaria_appeal_counts_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The changes first: a fold holding some of them has to commit before this goes on, so that what it
  -- wrote to signature_counts is there to delete.
  DELETE FROM signature_count_changes WHERE appeal_id IN (SELECT id FROM old_rows);
  DELETE FROM signature_counts WHERE appeal_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER appeals_deleted_counts AFTER DELETE ON appeals
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION solidaria_appeal_counts_deleted();
--> statement-breakpoint
-- The counts of the signatures already there. Creating the triggers above locked signatures against
-- writes until this migration commits, so nothing is counted twice or missed.
INSERT INTO signature_counts (appeal_id, country, kind, signatures, members)
SELECT appeal_id, country, kind, count(*), coalesce(sum(members), 0) FROM signatures
WHERE status = 'confirmed' AND hidden_at IS NULL
GROUP BY appeal_id, country, kind;
