CREATE TYPE "public"."contribution_source" AS ENUM('report', 'organiser');--> statement-breakpoint
CREATE TYPE "public"."contribution_status" AS ENUM('reported', 'verified', 'rejected');--> statement-breakpoint
ALTER TYPE "public"."mail_kind" ADD VALUE 'fund_received';--> statement-breakpoint
ALTER TYPE "public"."mail_kind" ADD VALUE 'fund_verified';--> statement-breakpoint
ALTER TYPE "public"."mail_kind" ADD VALUE 'fund_rejected';--> statement-breakpoint
CREATE TABLE "contributions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contributions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"appeal_id" uuid NOT NULL,
	"status" "contribution_status" DEFAULT 'reported' NOT NULL,
	"source" "contribution_source" NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"contributed_on" date NOT NULL,
	"way" text,
	"country" text,
	"public_name" text,
	"message" text,
	"sealed" text,
	"email_hash" text,
	"locale" text,
	"ip_hash" text,
	"rejection_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone,
	"anonymised_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "fund_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"contribution_id" bigint,
	"spending_id" uuid,
	"public" boolean DEFAULT false NOT NULL,
	"media_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_receipts_contribution_id_unique" UNIQUE("contribution_id"),
	CONSTRAINT "fund_receipts_spending_id_unique" UNIQUE("spending_id")
);
--> statement-breakpoint
CREATE TABLE "fund_spending" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"spent_on" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"purpose" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fund_texts" (
	"appeal_id" uuid NOT NULL,
	"language" text NOT NULL,
	"purpose" text DEFAULT '' NOT NULL,
	"ways" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_texts_appeal_id_language_pk" PRIMARY KEY("appeal_id","language")
);
--> statement-breakpoint
CREATE TABLE "funds" (
	"appeal_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"goal_currency" text NOT NULL,
	"goal_amount" bigint,
	"rates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rates_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mail_outbox" ALTER COLUMN "signature_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "contribution_id" bigint;--> statement-breakpoint
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_decided_by_organisers_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."organisers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_receipts" ADD CONSTRAINT "fund_receipts_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_receipts" ADD CONSTRAINT "fund_receipts_contribution_id_contributions_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contributions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_receipts" ADD CONSTRAINT "fund_receipts_spending_id_fund_spending_id_fk" FOREIGN KEY ("spending_id") REFERENCES "public"."fund_spending"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_spending" ADD CONSTRAINT "fund_spending_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_texts" ADD CONSTRAINT "fund_texts_appeal_id_funds_appeal_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."funds"("appeal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funds" ADD CONSTRAINT "funds_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contributions_appeal_idx" ON "contributions" USING btree ("appeal_id","status","contributed_on");--> statement-breakpoint
CREATE INDEX "fund_spending_appeal_idx" ON "fund_spending" USING btree ("appeal_id","spent_on");--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_contribution_id_contributions_id_fk" FOREIGN KEY ("contribution_id") REFERENCES "public"."contributions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mail_outbox_contribution_idx" ON "mail_outbox" USING btree ("contribution_id") WHERE "mail_outbox"."contribution_id" is not null;