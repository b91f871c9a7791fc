CREATE TYPE "public"."update_status" AS ENUM('draft', 'scheduled', 'sending', 'paused', 'sent');--> statement-breakpoint
ALTER TYPE "public"."mail_kind" ADD VALUE 'update';--> statement-breakpoint
CREATE TABLE "appeal_messages" (
	"appeal_id" uuid NOT NULL,
	"language" text NOT NULL,
	"thanks_next" text,
	"confirm_note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeal_messages_appeal_id_language_pk" PRIMARY KEY("appeal_id","language")
);
--> statement-breakpoint
CREATE TABLE "mail_suppressions" (
	"email_hash" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "update_texts" (
	"update_id" uuid NOT NULL,
	"language" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "update_texts_update_id_language_pk" PRIMARY KEY("update_id","language")
);
--> statement-breakpoint
CREATE TABLE "updates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"status" "update_status" DEFAULT 'draft' NOT NULL,
	"countries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kinds" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"scheduled_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"recipients" integer,
	"finished_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "mail_outbox_due_idx";--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "update_id" uuid;--> statement-breakpoint
ALTER TABLE "appeal_messages" ADD CONSTRAINT "appeal_messages_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "update_texts" ADD CONSTRAINT "update_texts_update_id_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "updates" ADD CONSTRAINT "updates_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "updates" ADD CONSTRAINT "updates_created_by_organisers_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."organisers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "updates_appeal_idx" ON "updates" USING btree ("appeal_id","created_at");--> statement-breakpoint
CREATE INDEX "updates_due_idx" ON "updates" USING btree ("scheduled_at") WHERE "updates"."status" = 'scheduled';--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_update_id_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mail_outbox_update_due_idx" ON "mail_outbox" USING btree ("update_id","next_attempt_at","id") WHERE "mail_outbox"."status" = 'queued' and "mail_outbox"."update_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "mail_outbox_update_signature_uq" ON "mail_outbox" USING btree ("update_id","signature_id") WHERE "mail_outbox"."update_id" is not null;--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox" USING btree ("next_attempt_at","id") WHERE "mail_outbox"."status" = 'queued' and "mail_outbox"."update_id" is null;