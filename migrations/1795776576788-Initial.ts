import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795776576788 implements MigrationInterface {
  name = 'Initial1795776576788';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "idempotency_key" ("scope" character varying(200) NOT NULL, "key" character varying(255) NOT NULL, "status" character varying(16) NOT NULL, "request_hash" character varying(64) NOT NULL, "response_status" smallint, "response_body" jsonb, "location" character varying(2048), "locked_until" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "idempotency_key_status_ck" CHECK ("status" IN ('processing', 'done')), CONSTRAINT "PK_2738e797ef2c60d9a902bad976a" PRIMARY KEY ("scope", "key"))`,
    );
    await q.query(`CREATE INDEX "idempotency_key_expires_idx" ON "idempotency_key"  ("expires_at") `);
    await q.query(
      `CREATE TABLE "audit_leaf" ("seq" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(100), "on_behalf_of" character varying(100), "organisation_id" uuid, "action" character varying(100) NOT NULL, "resource_type" character varying(50) NOT NULL, "resource_id" character varying(100), "subject_id" uuid, "purpose" character varying(200), "legal_basis" character varying(200), "channel" character varying(32), "request_id" character varying(160), "hidden_until" TIMESTAMP WITH TIME ZONE, "leaf_hash" bytea NOT NULL, CONSTRAINT "PK_a8a0ae8c86b7083b458719dffa7" PRIMARY KEY ("seq"))`,
    );
    await q.query(`CREATE INDEX "audit_leaf_subject_idx" ON "audit_leaf"  ("subject_id", "seq") `);
    await q.query(
      `CREATE TABLE "audit_tree_head" ("size" bigint NOT NULL, "root_hash" bytea NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "note" text NOT NULL, "key_name" character varying(200) NOT NULL, "subtree_roots" bytea NOT NULL, CONSTRAINT "PK_6199ebdf40b64bb53b4ac261f36" PRIMARY KEY ("size"))`,
    );
    await q.query(
      `CREATE TABLE "audit_node" ("level" smallint NOT NULL, "idx" bigint NOT NULL, "hash" bytea NOT NULL, CONSTRAINT "PK_bafff22c3e617b06407b2635353" PRIMARY KEY ("level", "idx"))`,
    );
    await q.query(
      `CREATE TABLE "job" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "payload" jsonb NOT NULL DEFAULT '{}', "status" character varying(16) NOT NULL DEFAULT 'pending', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "max_attempts" integer NOT NULL DEFAULT '12', "last_error" text, "locked_until" TIMESTAMP WITH TIME ZONE, "dedupe_key" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_98ab1c14ff8d1cf80d18703b92f" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "job_dedupe_key_uq" ON "job"  ("dedupe_key") WHERE status IN ('pending', 'running')`,
    );
    await q.query(`CREATE INDEX "job_due_idx" ON "job"  ("status", "run_at") `);
    await q.query(`CREATE TYPE "public"."work_calendar_day_kind" AS ENUM('holiday', 'makeup')`);
    await q.query(`CREATE TYPE "public"."work_calendar_source" AS ENUM('seed', 'admin')`);
    await q.query(
      `CREATE TABLE "work_calendar_day" ("region_code" character varying(12) NOT NULL, "date" date NOT NULL, "is_workday" boolean NOT NULL, "kind" "public"."work_calendar_day_kind" NOT NULL, "name" character varying(50), "name_en" character varying(100), "source" "public"."work_calendar_source" NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "work_calendar_day_kind_matches" CHECK (("kind" = 'makeup') = "is_workday"), CONSTRAINT "PK_f169ccea39e11e247cffff8bf33" PRIMARY KEY ("region_code", "date"))`,
    );
    await q.query(`CREATE TYPE "public"."work_calendar_year_source" AS ENUM('seed', 'admin')`);
    await q.query(
      `CREATE TABLE "work_calendar_year" ("region_code" character varying(12) NOT NULL, "year" integer NOT NULL, "published" boolean NOT NULL, "notice_url" character varying(300), "source" "public"."work_calendar_year_source" NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e830f44bba95fdc231d9ee5c21b" PRIMARY KEY ("region_code", "year"))`,
    );
    await q.query(`CREATE TYPE "public"."region_level" AS ENUM('province', 'city', 'district', 'street')`);
    await q.query(
      `CREATE TABLE "region" ("code" character varying(12) NOT NULL, "name" character varying(100) NOT NULL, "name_en" character varying(200), "level" "public"."region_level" NOT NULL, "parent_code" character varying(12), CONSTRAINT "PK_74f7723fdff738f92929c0056cb" PRIMARY KEY ("code"))`,
    );
    await q.query(`CREATE INDEX "IDX_73a16baaad741cbb01fa629e95" ON "region"  ("parent_code") `);
    await q.query(
      `CREATE TYPE "public"."organisation_kind" AS ENUM('agency', 'department', 'service_centre', 'office')`,
    );
    await q.query(
      `CREATE TABLE "organisation" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "name" character varying(200) NOT NULL, "name_en" character varying(300), "kind" "public"."organisation_kind" NOT NULL, "region_code" character varying(12) NOT NULL, "parent_id" uuid, "uscc" character varying(18), "contacts" jsonb NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_c725ae234ef1b74cce43d2d00c1" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_5283ba6ce1add8976fe6dc41e1" ON "organisation"  ("region_code") `);
    await q.query(`CREATE INDEX "IDX_c4ba39f5697ec0cd6e03314b61" ON "organisation"  ("parent_id") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_ceb94253d43b9655d163f43674" ON "organisation"  ("uscc") WHERE uscc IS NOT NULL`,
    );
    await q.query(
      `CREATE TABLE "organisation_closure" ("ancestor_id" uuid NOT NULL, "descendant_id" uuid NOT NULL, "depth" integer NOT NULL, CONSTRAINT "PK_d3967323f83358eee5a69b83b3a" PRIMARY KEY ("ancestor_id", "descendant_id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_d3967323f83358eee5a69b83b3" ON "organisation_closure"  ("descendant_id", "ancestor_id") `,
    );
    await q.query(`CREATE TYPE "public"."account_kind" AS ENUM('citizen', 'business', 'staff')`);
    await q.query(`CREATE TYPE "public"."account_status" AS ENUM('pending', 'active', 'disabled')`);
    await q.query(
      `CREATE TABLE "account" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "kind" "public"."account_kind" NOT NULL, "status" "public"."account_status" NOT NULL DEFAULT 'pending', "phone" character varying(20), "email" character varying(254), "username" character varying(64), "password_hash" character varying(255), "display_name" character varying(100), "real_name" character varying(100), "national_id_enc" character varying(200), "national_id_bidx" character varying(64), "national_id_last4" character varying(4), "national_id_masked" character varying(18), "unified_social_credit_code" character varying(18), "organisation_id" uuid, "totp_secret_enc" character varying(200), "totp_last_step" integer, "failed_logins" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "tokens_valid_after" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_54115ee388cdb6d86bb4bf5b2ea" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_0d383d1e42b46b9034c0275760" ON "account"  ("phone") WHERE phone IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_d4877f9c6c9217f783971ff26c" ON "account"  ("email") WHERE email IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_a80ff1b1b53e53bb4796fcaecd" ON "account"  ("username") WHERE username IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_e7c2198daeacd1aaecca6eed7d" ON "account"  ("national_id_bidx") WHERE national_id_bidx IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_800cba2b5c7b62669ee5b3cb2d" ON "account"  ("unified_social_credit_code") WHERE unified_social_credit_code IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "IDX_14bca995e1448a5fa193361ff9" ON "account"  ("organisation_id") `);
    await q.query(
      `CREATE TABLE "auth_session" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "account_id" uuid NOT NULL, "channel" character varying(32), "last_refreshed_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), CONSTRAINT "PK_19354ed146424a728c1112a8cbf" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_e4c520a0509e1853c3040fe6d3" ON "auth_session"  ("account_id") `);
    await q.query(
      `CREATE TABLE "refresh_token" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "session_id" uuid NOT NULL, "account_id" uuid NOT NULL, "parent_id" uuid, "token_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b575dd3c21fb0831013c909e7fe" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_7643a722ca45fb721be1c63dc0" ON "refresh_token"  ("session_id") `);
    await q.query(`CREATE INDEX "IDX_f8e6c51db7655e2f7084f61568" ON "refresh_token"  ("account_id") `);
    await q.query(`CREATE UNIQUE INDEX "IDX_f0812282fad2e352cdaf83ef0a" ON "refresh_token"  ("token_hash") `);
    await q.query(`CREATE TYPE "public"."notification_channel" AS ENUM('sms', 'email', 'inapp')`);
    await q.query(`CREATE TYPE "public"."notification_status" AS ENUM('pending', 'sent', 'failed')`);
    await q.query(
      `CREATE TABLE "notification_outbox" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "channel" "public"."notification_channel" NOT NULL, "recipient" character varying(254) NOT NULL, "account_id" uuid, "template" character varying(64) NOT NULL, "language" character varying(8) NOT NULL, "params" jsonb NOT NULL DEFAULT '{}', "status" "public"."notification_status" NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" character varying(500), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_83d47c7dba1da2d038749fe757e" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_0005f54cf86a8c258527a7988d" ON "notification_outbox"  ("account_id") `);
    await q.query(
      `CREATE INDEX "IDX_cd75e8790eef49379ce983341e" ON "notification_outbox"  ("status", "created_at") `,
    );
    await q.query(`CREATE TYPE "public"."verification_code_purpose" AS ENUM('register', 'password_reset')`);
    await q.query(
      `CREATE TABLE "verification_code" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "account_id" uuid NOT NULL, "purpose" "public"."verification_code_purpose" NOT NULL, "channel" character varying(8) NOT NULL, "code_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "consumed_at" TIMESTAMP WITH TIME ZONE, "pending_password_hash" character varying(255), CONSTRAINT "PK_d702c086da466e5d25974512d46" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_6e5427d415f825911021a5b2c2" ON "verification_code"  ("account_id", "purpose", "created_at") `,
    );
    await q.query(
      `CREATE TABLE "inbox_message" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "account_id" uuid NOT NULL, "template" character varying(64) NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL, "link" character varying(500), "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_bbd15267b116fd3c45f459a65fa" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_a11b3697eb99636df8fcfd1305" ON "inbox_message"  ("account_id", "id") `);
    await q.query(`CREATE TYPE "public"."notification_preference_channel" AS ENUM('sms', 'email', 'inapp')`);
    await q.query(
      `CREATE TABLE "notification_preference" ("account_id" uuid NOT NULL, "channel" "public"."notification_preference_channel" NOT NULL, "enabled" boolean NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a99ab722219e36eeeaef8977513" PRIMARY KEY ("account_id", "channel"))`,
    );
    await q.query(
      `CREATE TABLE "api_key" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "public_id" character varying(8) NOT NULL, "key_hash" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "organisation_id" uuid, "owner_account_id" uuid NOT NULL, "scopes" text array NOT NULL DEFAULT '{}', "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_77600c71158bb7c002a8bfd98b" ON "api_key"  ("public_id") `);
    await q.query(`CREATE INDEX "IDX_656bf45bf240ad0a5aced63ae5" ON "api_key"  ("organisation_id") `);
    await q.query(`CREATE INDEX "IDX_100179dd26c9e984fa45687e7c" ON "api_key"  ("owner_account_id") `);
    await q.query(
      `CREATE TABLE "oauth_client" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "client_id" character varying(40) NOT NULL, "name" character varying(200) NOT NULL, "secret_hash" character varying(64) NOT NULL, "previous_secret_hash" character varying(64), "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "organisation_id" uuid NOT NULL, "scopes" text array NOT NULL DEFAULT '{}', "cert_thumbprint" character varying(64), "active" boolean NOT NULL DEFAULT true, "created_by" uuid, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d6e58a7e0ec3ac17a67ba7f97cd" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_120e591449cf7f49569ee6c95b" ON "oauth_client"  ("client_id") `);
    await q.query(`CREATE INDEX "IDX_eb2c73d13b93dbe64d54eb3855" ON "oauth_client"  ("organisation_id") `);
    await q.query(
      `CREATE TABLE "delegation" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "from_account_id" uuid NOT NULL, "to_account_id" uuid NOT NULL, "role" character varying(32) NOT NULL, "organisation_id" uuid NOT NULL, "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL, "reason" character varying(500) NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a2cb6c9b942d68b109131beab44" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_8a7e3b5aa4d36e675cee6f5078" ON "delegation"  ("from_account_id") `);
    await q.query(
      `CREATE INDEX "IDX_9ee6e3a495287a34d034db7b3c" ON "delegation"  ("to_account_id", "valid_until") `,
    );
    await q.query(
      `CREATE TABLE "role_assignment" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "account_id" uuid NOT NULL, "role" character varying(32) NOT NULL, "organisation_id" uuid, "valid_from" TIMESTAMP WITH TIME ZONE, "valid_until" TIMESTAMP WITH TIME ZONE, "granted_by" uuid, CONSTRAINT "PK_7e79671a8a5db18936173148cb4" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_8ca995795f31a73dd0e8eb2125" ON "role_assignment"  ("account_id") `);
    await q.query(`CREATE INDEX "IDX_68286e4b4a5a7b148da9d5d7c7" ON "role_assignment"  ("organisation_id") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_b8e58f8e26b0a0f71d42801dab" ON "role_assignment"  ("account_id", "role") WHERE organisation_id IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_6342bb3a940cc7d352794c83de" ON "role_assignment"  ("account_id", "role", "organisation_id") WHERE organisation_id IS NOT NULL`,
    );
    await q.query(
      `CREATE TABLE "channel_identity" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "channel" character varying(16) NOT NULL, "app_id" character varying(64) NOT NULL, "openid_bidx" character varying(64) NOT NULL, "openid_enc" character varying(300) NOT NULL, "openid_masked" character varying(128) NOT NULL, "account_id" uuid NOT NULL, CONSTRAINT "PK_478251a94d0c2124637e1b4d879" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_d55fa979cfe611f9127abdf49c" ON "channel_identity"  ("account_id", "channel", "app_id") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_82a14205a4e0ac2a3e3adfe1c2" ON "channel_identity"  ("channel", "app_id", "openid_bidx") `,
    );
    await q.query(`CREATE TYPE "public"."representative_scope" AS ENUM('apply', 'all')`);
    await q.query(
      `CREATE TABLE "business_representative" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "business_account_id" uuid NOT NULL, "representative_account_id" uuid NOT NULL, "scope" "public"."representative_scope" NOT NULL, "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4a523f2655d8f2dee6fd4f61070" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_39aa9fe7f442716e9ca506866f" ON "business_representative"  ("representative_account_id", "valid_until") `,
    );
    await q.query(
      `CREATE INDEX "IDX_e07289e7bb7f25601f2db4b953" ON "business_representative"  ("business_account_id", "created_at") `,
    );
    await q.query(
      `CREATE TABLE "external_identity" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "issuer" character varying(255) NOT NULL, "subject" character varying(255) NOT NULL, "account_id" uuid NOT NULL, "last_login_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_390cd58fc7a0124d5fc815e99a3" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_2a32d318f84f9425dfb1b6485e" ON "external_identity"  ("account_id") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_b9308b1f08c8ca517f9ab5c464" ON "external_identity"  ("issuer", "subject") `,
    );
    await q.query(
      `CREATE TABLE "oidc_state" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "state_hash" character varying(64) NOT NULL, "code_verifier" character varying(128) NOT NULL, "nonce" character varying(128) NOT NULL, "return_to" character varying(2048), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0d835ce88c77b4ed98f0010baf7" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_53c4a5d90f2595ab7d6ef5798d" ON "oidc_state"  ("state_hash") `);
    await q.query(`CREATE INDEX "IDX_f96c7b5d5320d29d5be3804dd0" ON "oidc_state"  ("expires_at") `);
    await q.query(`CREATE TYPE "public"."licence_status" AS ENUM('active', 'revoked')`);
    await q.query(
      `CREATE TABLE "licence" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "number" character varying(40) NOT NULL, "licence_type_code" character varying(64) NOT NULL, "licence_type_name" character varying(100) NOT NULL, "holder_account_id" uuid, "holder_name" character varying(100) NOT NULL, "holder_id_masked" character varying(32), "issuer_organisation_id" uuid NOT NULL, "issuer_name" character varying(200) NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_from" date NOT NULL, "valid_until" date, "fields" jsonb NOT NULL, "verification_code" character varying(16) NOT NULL, "signature" character varying(88) NOT NULL, "key_id" character varying(64) NOT NULL, "status" "public"."licence_status" NOT NULL DEFAULT 'active', "revoked_at" TIMESTAMP WITH TIME ZONE, "revocation_reason" character varying(500), "source_reference" character varying(200), CONSTRAINT "PK_3b4f2cda4a38b8026e4c700844c" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_4cb477376407a61c4d02484bb5" ON "licence"  ("number") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_1c78d542bb6b2b577965428802" ON "licence"  ("verification_code") `,
    );
    await q.query(
      `CREATE INDEX "IDX_47f0a90e712cefd005880487ae" ON "licence"  ("issuer_organisation_id", "issued_at") `,
    );
    await q.query(
      `CREATE INDEX "IDX_6834b5e15d35e536be20f55ea0" ON "licence"  ("holder_account_id", "issued_at") `,
    );
    await q.query(
      `CREATE TYPE "public"."service_type" AS ENUM('administrative_licence', 'public_service', 'administrative_payment', 'other_power')`,
    );
    await q.query(`CREATE TYPE "public"."service_target" AS ENUM('person', 'business', 'both')`);
    await q.query(
      `CREATE TYPE "public"."service_status" AS ENUM('draft', 'in_review', 'published', 'retired')`,
    );
    await q.query(
      `CREATE TABLE "service" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "organisation_id" uuid NOT NULL, "region_code" character varying(12) NOT NULL, "implementation_code" character varying(64) NOT NULL, "type" "public"."service_type" NOT NULL, "target" "public"."service_target" NOT NULL, "status" "public"."service_status" NOT NULL DEFAULT 'draft', "current_published_version_id" uuid, "draft_version_id" uuid, "title_zh" character varying(200), "title_en" character varying(300), "life_events" jsonb NOT NULL DEFAULT '[]', "topics" jsonb NOT NULL DEFAULT '[]', "published_at" TIMESTAMP WITH TIME ZONE, "title_terms" text NOT NULL DEFAULT '', "search_terms" text NOT NULL DEFAULT '', CONSTRAINT "PK_85a21558c006647cd76fdce044b" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_f6f488aaff5f6e4ad8e0c0af43" ON "service"  ("organisation_id") `);
    await q.query(`CREATE INDEX "IDX_a8ab6badc6eaa806018f28a8ac" ON "service"  ("region_code") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_1a8ce991865c0bddd8d85eea99" ON "service"  ("implementation_code") `,
    );
    await q.query(`CREATE INDEX "IDX_d19fe5f19e3783cc49144b2051" ON "service"  ("status") `);
    await q.query(
      `CREATE TYPE "public"."service_version_state" AS ENUM('draft', 'in_review', 'published', 'superseded')`,
    );
    await q.query(
      `CREATE TABLE "service_version" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "service_id" uuid NOT NULL, "number" integer NOT NULL, "state" "public"."service_version_state" NOT NULL DEFAULT 'draft', "content" jsonb NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, "published_by" uuid, CONSTRAINT "PK_fc2bc37421a1d419e9dde834938" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_abd98cca8f40339ea1e2dd327e" ON "service_version"  ("service_id", "number") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_abd98cca8f40339ea1e2dd327e"`);
    await q.query(`DROP TABLE "service_version"`);
    await q.query(`DROP TYPE "public"."service_version_state"`);
    await q.query(`DROP INDEX "public"."IDX_d19fe5f19e3783cc49144b2051"`);
    await q.query(`DROP INDEX "public"."IDX_1a8ce991865c0bddd8d85eea99"`);
    await q.query(`DROP INDEX "public"."IDX_a8ab6badc6eaa806018f28a8ac"`);
    await q.query(`DROP INDEX "public"."IDX_f6f488aaff5f6e4ad8e0c0af43"`);
    await q.query(`DROP TABLE "service"`);
    await q.query(`DROP TYPE "public"."service_status"`);
    await q.query(`DROP TYPE "public"."service_target"`);
    await q.query(`DROP TYPE "public"."service_type"`);
    await q.query(`DROP INDEX "public"."IDX_6834b5e15d35e536be20f55ea0"`);
    await q.query(`DROP INDEX "public"."IDX_47f0a90e712cefd005880487ae"`);
    await q.query(`DROP INDEX "public"."IDX_1c78d542bb6b2b577965428802"`);
    await q.query(`DROP INDEX "public"."IDX_4cb477376407a61c4d02484bb5"`);
    await q.query(`DROP TABLE "licence"`);
    await q.query(`DROP TYPE "public"."licence_status"`);
    await q.query(`DROP INDEX "public"."IDX_f96c7b5d5320d29d5be3804dd0"`);
    await q.query(`DROP INDEX "public"."IDX_53c4a5d90f2595ab7d6ef5798d"`);
    await q.query(`DROP TABLE "oidc_state"`);
    await q.query(`DROP INDEX "public"."IDX_b9308b1f08c8ca517f9ab5c464"`);
    await q.query(`DROP INDEX "public"."IDX_2a32d318f84f9425dfb1b6485e"`);
    await q.query(`DROP TABLE "external_identity"`);
    await q.query(`DROP INDEX "public"."IDX_e07289e7bb7f25601f2db4b953"`);
    await q.query(`DROP INDEX "public"."IDX_39aa9fe7f442716e9ca506866f"`);
    await q.query(`DROP TABLE "business_representative"`);
    await q.query(`DROP TYPE "public"."representative_scope"`);
    await q.query(`DROP INDEX "public"."IDX_82a14205a4e0ac2a3e3adfe1c2"`);
    await q.query(`DROP INDEX "public"."IDX_d55fa979cfe611f9127abdf49c"`);
    await q.query(`DROP TABLE "channel_identity"`);
    await q.query(`DROP INDEX "public"."IDX_6342bb3a940cc7d352794c83de"`);
    await q.query(`DROP INDEX "public"."IDX_b8e58f8e26b0a0f71d42801dab"`);
    await q.query(`DROP INDEX "public"."IDX_68286e4b4a5a7b148da9d5d7c7"`);
    await q.query(`DROP INDEX "public"."IDX_8ca995795f31a73dd0e8eb2125"`);
    await q.query(`DROP TABLE "role_assignment"`);
    await q.query(`DROP INDEX "public"."IDX_9ee6e3a495287a34d034db7b3c"`);
    await q.query(`DROP INDEX "public"."IDX_8a7e3b5aa4d36e675cee6f5078"`);
    await q.query(`DROP TABLE "delegation"`);
    await q.query(`DROP INDEX "public"."IDX_eb2c73d13b93dbe64d54eb3855"`);
    await q.query(`DROP INDEX "public"."IDX_120e591449cf7f49569ee6c95b"`);
    await q.query(`DROP TABLE "oauth_client"`);
    await q.query(`DROP INDEX "public"."IDX_100179dd26c9e984fa45687e7c"`);
    await q.query(`DROP INDEX "public"."IDX_656bf45bf240ad0a5aced63ae5"`);
    await q.query(`DROP INDEX "public"."IDX_77600c71158bb7c002a8bfd98b"`);
    await q.query(`DROP TABLE "api_key"`);
    await q.query(`DROP TABLE "notification_preference"`);
    await q.query(`DROP TYPE "public"."notification_preference_channel"`);
    await q.query(`DROP INDEX "public"."IDX_a11b3697eb99636df8fcfd1305"`);
    await q.query(`DROP TABLE "inbox_message"`);
    await q.query(`DROP INDEX "public"."IDX_6e5427d415f825911021a5b2c2"`);
    await q.query(`DROP TABLE "verification_code"`);
    await q.query(`DROP TYPE "public"."verification_code_purpose"`);
    await q.query(`DROP INDEX "public"."IDX_cd75e8790eef49379ce983341e"`);
    await q.query(`DROP INDEX "public"."IDX_0005f54cf86a8c258527a7988d"`);
    await q.query(`DROP TABLE "notification_outbox"`);
    await q.query(`DROP TYPE "public"."notification_status"`);
    await q.query(`DROP TYPE "public"."notification_channel"`);
    await q.query(`DROP INDEX "public"."IDX_f0812282fad2e352cdaf83ef0a"`);
    await q.query(`DROP INDEX "public"."IDX_f8e6c51db7655e2f7084f61568"`);
    await q.query(`DROP INDEX "public"."IDX_7643a722ca45fb721be1c63dc0"`);
    await q.query(`DROP TABLE "refresh_token"`);
    await q.query(`DROP INDEX "public"."IDX_e4c520a0509e1853c3040fe6d3"`);
    await q.query(`DROP TABLE "auth_session"`);
    await q.query(`DROP INDEX "public"."IDX_14bca995e1448a5fa193361ff9"`);
    await q.query(`DROP INDEX "public"."IDX_800cba2b5c7b62669ee5b3cb2d"`);
    await q.query(`DROP INDEX "public"."IDX_e7c2198daeacd1aaecca6eed7d"`);
    await q.query(`DROP INDEX "public"."IDX_a80ff1b1b53e53bb4796fcaecd"`);
    await q.query(`DROP INDEX "public"."IDX_d4877f9c6c9217f783971ff26c"`);
    await q.query(`DROP INDEX "public"."IDX_0d383d1e42b46b9034c0275760"`);
    await q.query(`DROP TABLE "account"`);
    await q.query(`DROP TYPE "public"."account_status"`);
    await q.query(`DROP TYPE "public"."account_kind"`);
    await q.query(`DROP INDEX "public"."IDX_d3967323f83358eee5a69b83b3"`);
    await q.query(`DROP TABLE "organisation_closure"`);
    await q.query(`DROP INDEX "public"."IDX_ceb94253d43b9655d163f43674"`);
    await q.query(`DROP INDEX "public"."IDX_c4ba39f5697ec0cd6e03314b61"`);
    await q.query(`DROP INDEX "public"."IDX_5283ba6ce1add8976fe6dc41e1"`);
    await q.query(`DROP TABLE "organisation"`);
    await q.query(`DROP TYPE "public"."organisation_kind"`);
    await q.query(`DROP INDEX "public"."IDX_73a16baaad741cbb01fa629e95"`);
    await q.query(`DROP TABLE "region"`);
    await q.query(`DROP TYPE "public"."region_level"`);
    await q.query(`DROP TABLE "work_calendar_year"`);
    await q.query(`DROP TYPE "public"."work_calendar_year_source"`);
    await q.query(`DROP TABLE "work_calendar_day"`);
    await q.query(`DROP TYPE "public"."work_calendar_source"`);
    await q.query(`DROP TYPE "public"."work_calendar_day_kind"`);
    await q.query(`DROP INDEX "public"."job_due_idx"`);
    await q.query(`DROP INDEX "public"."job_dedupe_key_uq"`);
    await q.query(`DROP TABLE "job"`);
    await q.query(`DROP TABLE "audit_node"`);
    await q.query(`DROP TABLE "audit_tree_head"`);
    await q.query(`DROP INDEX "public"."audit_leaf_subject_idx"`);
    await q.query(`DROP TABLE "audit_leaf"`);
    await q.query(`DROP INDEX "public"."idempotency_key_expires_idx"`);
    await q.query(`DROP TABLE "idempotency_key"`);
  }
}
