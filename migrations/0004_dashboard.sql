ALTER TABLE "signatures" ADD COLUMN "email_domain_hash" text;--> statement-breakpoint
ALTER TABLE "signatures" ADD COLUMN "hidden_batch" uuid;--> statement-breakpoint
ALTER TABLE "signatures" ADD COLUMN "notable" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "signatures" ADD COLUMN "event_id" uuid;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "signatures_event_idx" ON "signatures" USING btree ("event_id") WHERE "signatures"."event_id" is not null;--> statement-breakpoint
CREATE INDEX "signatures_hidden_batch_idx" ON "signatures" USING btree ("hidden_batch") WHERE "signatures"."hidden_batch" is not null;--> statement-breakpoint
CREATE INDEX "signatures_domain_missing_idx" ON "signatures" USING btree ("id") WHERE "signatures"."email_domain_hash" is null and "signatures"."sealed" is not null;