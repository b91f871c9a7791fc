CREATE TYPE "public"."event_report_status" AS ENUM('none', 'pending', 'approved');--> statement-breakpoint
CREATE TYPE "public"."event_status" AS ENUM('pending', 'approved');--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "approximate" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "status" "event_status" DEFAULT 'approved' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "submitted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "organiser" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "sealed_contact" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "report_token_hash" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "report_attendance" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "report_text" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "report_status" "event_report_status" DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "signatures" ADD COLUMN "name_words" text[];--> statement-breakpoint
ALTER TABLE "signatures" ADD COLUMN "name_key" text;--> statement-breakpoint
CREATE INDEX "signatures_name_words_idx" ON "signatures" USING gin ("name_words") WHERE "signatures"."name_words" is not null;--> statement-breakpoint
CREATE INDEX "signatures_name_key_idx" ON "signatures" USING btree ("appeal_id","name_key") WHERE "signatures"."name_key" is not null;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_report_token_hash_unique" UNIQUE("report_token_hash");