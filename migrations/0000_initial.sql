CREATE TYPE "public"."appeal_status" AS ENUM('draft', 'open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."organisation_type" AS ENUM('trade_union', 'political_party', 'ngo', 'community_group', 'other');--> statement-breakpoint
CREATE TYPE "public"."organiser_role" AS ENUM('admin', 'organiser');--> statement-breakpoint
CREATE TYPE "public"."signature_kind" AS ENUM('individual', 'organisation');--> statement-breakpoint
CREATE TYPE "public"."signature_source" AS ENUM('web', 'embed', 'api', 'import');--> statement-breakpoint
CREATE TYPE "public"."signature_status" AS ENUM('pending', 'confirmed', 'erased');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organiser_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "appeal_members" (
	"appeal_id" uuid NOT NULL,
	"organiser_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeal_members_appeal_id_organiser_id_pk" PRIMARY KEY("appeal_id","organiser_id")
);
--> statement-breakpoint
CREATE TABLE "appeal_texts" (
	"appeal_id" uuid NOT NULL,
	"language" text NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"demands" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeal_texts_appeal_id_language_pk" PRIMARY KEY("appeal_id","language")
);
--> statement-breakpoint
CREATE TABLE "appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"status" "appeal_status" DEFAULT 'draft' NOT NULL,
	"original_language" text NOT NULL,
	"goal" integer,
	"opens_at" timestamp with time zone,
	"closes_at" timestamp with time zone,
	"allow_organisations" boolean DEFAULT true NOT NULL,
	"show_public_list" boolean DEFAULT true NOT NULL,
	"require_confirmation" boolean DEFAULT false NOT NULL,
	"collect_city" boolean DEFAULT true NOT NULL,
	"collect_organisation" boolean DEFAULT true NOT NULL,
	"collect_role" boolean DEFAULT true NOT NULL,
	"donation_url" text,
	"join_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeals_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"city" text,
	"country" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"link" text,
	"attendance" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "organiser_role" DEFAULT 'organiser' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisers_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"organiser_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signatures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "signatures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"appeal_id" uuid NOT NULL,
	"kind" "signature_kind" NOT NULL,
	"status" "signature_status" NOT NULL,
	"name" text,
	"email" text,
	"email_hash" text,
	"country" text NOT NULL,
	"city" text,
	"organisation" text,
	"role" text,
	"organisation_type" "organisation_type",
	"members" integer,
	"public" boolean NOT NULL,
	"contact" boolean NOT NULL,
	"consent_version" text NOT NULL,
	"locale" text,
	"source" "signature_source" NOT NULL,
	"ip_hash" text,
	"hidden_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"erased_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_members" ADD CONSTRAINT "appeal_members_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_members" ADD CONSTRAINT "appeal_members_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_texts" ADD CONSTRAINT "appeal_texts_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_organiser_id_organisers_id_fk" FOREIGN KEY ("organiser_id") REFERENCES "public"."organisers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_organiser_idx" ON "api_tokens" USING btree ("organiser_id");--> statement-breakpoint
CREATE INDEX "appeal_members_organiser_idx" ON "appeal_members" USING btree ("organiser_id");--> statement-breakpoint
CREATE INDEX "events_appeal_idx" ON "events" USING btree ("appeal_id","starts_at");--> statement-breakpoint
CREATE INDEX "sessions_organiser_idx" ON "sessions" USING btree ("organiser_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signatures_appeal_email_uq" ON "signatures" USING btree ("appeal_id","email_hash");--> statement-breakpoint
CREATE INDEX "signatures_appeal_id_idx" ON "signatures" USING btree ("appeal_id","id");--> statement-breakpoint
CREATE INDEX "signatures_counted_idx" ON "signatures" USING btree ("appeal_id","country","kind","members") WHERE "signatures"."status" = 'confirmed' and "signatures"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "signatures_public_list_idx" ON "signatures" USING btree ("appeal_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "signatures"."status" = 'confirmed' and "signatures"."hidden_at" is null and "signatures"."public";