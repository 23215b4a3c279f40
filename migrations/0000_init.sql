CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_user_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`before` text,
	`after` text,
	`ip` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_log` (`subject_type`,`subject_id`);--> statement-breakpoint
CREATE TABLE `campaign_totals` (
	`campaign_id` text PRIMARY KEY NOT NULL,
	`raised` integer DEFAULT 0 NOT NULL,
	`matched` integer DEFAULT 0 NOT NULL,
	`donor_count` integer DEFAULT 0 NOT NULL,
	`gift_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "totals_raised_nonneg" CHECK("campaign_totals"."raised" >= 0),
	CONSTRAINT "totals_matched_nonneg" CHECK("campaign_totals"."matched" >= 0)
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`story` text DEFAULT '' NOT NULL,
	`currency` text NOT NULL,
	`goal` integer NOT NULL,
	`impact_unit` text,
	`impact_unit_cost` integer,
	`starts_at` integer,
	`ends_at` integer,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "campaigns_goal_positive" CHECK("campaigns"."goal" > 0),
	CONSTRAINT "campaigns_status_valid" CHECK("campaigns"."status" in ('draft','published','closed')),
	CONSTRAINT "campaigns_impact_pair" CHECK(("campaigns"."impact_unit" is null) = ("campaigns"."impact_unit_cost" is null)),
	CONSTRAINT "campaigns_impact_cost_positive" CHECK("campaigns"."impact_unit_cost" is null or "campaigns"."impact_unit_cost" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaigns_slug_unique` ON `campaigns` (`slug`);--> statement-breakpoint
CREATE TABLE `checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`gift_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `checkouts_gift` ON `checkouts` (`gift_id`);--> statement-breakpoint
CREATE TABLE `exchange_rates` (
	`id` text PRIMARY KEY NOT NULL,
	`base` text NOT NULL,
	`quote` text NOT NULL,
	`rate` text NOT NULL,
	`effective_at` integer NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "exchange_rates_distinct" CHECK("exchange_rates"."base" <> "exchange_rates"."quote")
);
--> statement-breakpoint
CREATE INDEX `exchange_rates_lookup` ON `exchange_rates` (`base`,`quote`,`effective_at`);--> statement-breakpoint
CREATE TABLE `gift_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`gift_id` text NOT NULL,
	`amount` integer NOT NULL,
	`campaign_amount` integer NOT NULL,
	`reason` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "gift_refunds_amount_positive" CHECK("gift_refunds"."amount" > 0),
	CONSTRAINT "gift_refunds_campaign_amount_nonneg" CHECK("gift_refunds"."campaign_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `gift_refunds_gift` ON `gift_refunds` (`gift_id`);--> statement-breakpoint
CREATE TABLE `gifts` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`campaign_amount` integer,
	`rate` text,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`refunded_campaign_amount` integer DEFAULT 0 NOT NULL,
	`donor_name` text NOT NULL,
	`donor_email` text,
	`donor_key` text NOT NULL,
	`anonymous` integer NOT NULL,
	`show_amount` integer DEFAULT true NOT NULL,
	`comment` text,
	`source` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`event_id` text,
	`note` text,
	`received_at` integer,
	`success_seq` integer,
	`succeeded_at` integer,
	`expires_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "gifts_amount_positive" CHECK("gifts"."amount" > 0),
	CONSTRAINT "gifts_campaign_amount_nonneg" CHECK("gifts"."campaign_amount" is null or "gifts"."campaign_amount" >= 0),
	CONSTRAINT "gifts_refund_bounds" CHECK("gifts"."refunded_amount" >= 0 and "gifts"."refunded_amount" <= "gifts"."amount"),
	CONSTRAINT "gifts_refund_campaign_bounds" CHECK("gifts"."refunded_campaign_amount" >= 0 and "gifts"."refunded_campaign_amount" <= coalesce("gifts"."campaign_amount", 0)),
	CONSTRAINT "gifts_source_valid" CHECK("gifts"."source" in ('online','offline','event')),
	CONSTRAINT "gifts_status_valid" CHECK("gifts"."status" in ('pending','succeeded','failed','expired','refunded','partially_refunded','disputed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gifts_success_seq_unique` ON `gifts` (`success_seq`);--> statement-breakpoint
CREATE INDEX `gifts_campaign_success` ON `gifts` (`campaign_id`,`success_seq`);--> statement-breakpoint
CREATE INDEX `gifts_campaign_donor` ON `gifts` (`campaign_id`,`donor_key`);--> statement-breakpoint
CREATE INDEX `gifts_pending_expiry` ON `gifts` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`gift_id` text,
	`pledge_id` text,
	`refund_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pledge_id`) REFERENCES `match_pledges`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`refund_id`) REFERENCES `gift_refunds`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ledger_amount_nonzero" CHECK("ledger_entries"."amount" <> 0),
	CONSTRAINT "ledger_kind_valid" CHECK("ledger_entries"."kind" in ('gift','refund','match'))
);
--> statement-breakpoint
CREATE INDEX `ledger_campaign` ON `ledger_entries` (`campaign_id`,`kind`);--> statement-breakpoint
CREATE INDEX `ledger_pledge` ON `ledger_entries` (`pledge_id`);--> statement-breakpoint
CREATE TABLE `match_allocations` (
	`gift_id` text NOT NULL,
	`pledge_id` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`gift_id`, `pledge_id`),
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pledge_id`) REFERENCES `match_pledges`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "match_allocations_positive" CHECK("match_allocations"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `match_allocations_pledge` ON `match_allocations` (`pledge_id`);--> statement-breakpoint
CREATE TABLE `match_pledges` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`campaign_id` text NOT NULL,
	`sponsor_name` text NOT NULL,
	`sponsor_email` text,
	`sponsor_user_id` text,
	`anonymous` integer NOT NULL,
	`public_message` text,
	`ratio_sponsor` integer NOT NULL,
	`ratio_donor` integer NOT NULL,
	`cap` integer NOT NULL,
	`cap_units` integer,
	`starts_at` integer,
	`ends_at` integer,
	`stopped_at` integer,
	`min_gift` integer,
	`max_per_gift` integer,
	`max_per_donor` integer,
	`sources` text,
	`priority` integer DEFAULT 100 NOT NULL,
	`stacking` integer DEFAULT false NOT NULL,
	`unlock_kind` text,
	`unlock_threshold` integer,
	`status` text NOT NULL,
	`allocated` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "match_pledges_cap_positive" CHECK("match_pledges"."cap" > 0),
	CONSTRAINT "match_pledges_ratio_positive" CHECK("match_pledges"."ratio_sponsor" > 0 and "match_pledges"."ratio_donor" > 0),
	CONSTRAINT "match_pledges_allocated_bounds" CHECK("match_pledges"."allocated" >= 0 and "match_pledges"."allocated" <= "match_pledges"."cap"),
	CONSTRAINT "match_pledges_status_valid" CHECK("match_pledges"."status" in ('proposed','active','paused','closed','declined')),
	CONSTRAINT "match_pledges_unlock_pair" CHECK(("match_pledges"."unlock_kind" is null) = ("match_pledges"."unlock_threshold" is null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `match_pledges_seq_unique` ON `match_pledges` (`seq`);--> statement-breakpoint
CREATE INDEX `match_pledges_campaign` ON `match_pledges` (`campaign_id`);--> statement-breakpoint
CREATE TABLE `payment_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "users_role_valid" CHECK("users"."role" in ('admin','organizer','sponsor'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);