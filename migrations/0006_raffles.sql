CREATE TABLE `raffle_draws` (
	`raffle_id` text NOT NULL,
	`seq` integer NOT NULL,
	`prize` integer NOT NULL,
	`ticket_number` integer,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`claimed_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`raffle_id`, `seq`),
	FOREIGN KEY (`raffle_id`) REFERENCES `raffles`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffle_draws_status_valid" CHECK("raffle_draws"."status" in ('won','claimed','forfeited','unawarded'))
);
--> statement-breakpoint
CREATE TABLE `raffle_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`raffle_id` text NOT NULL,
	`source` text NOT NULL,
	`method` text NOT NULL,
	`buyer_name` text NOT NULL,
	`buyer_email` text,
	`holder_key` text NOT NULL,
	`quantity` integer NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`public_name` integer DEFAULT false NOT NULL,
	`confirmed_at` integer,
	`campaign_amount` integer,
	`rate` text,
	`event_ticket_id` text,
	`expires_at` integer,
	`paid_at` integer,
	`refunded_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`raffle_id`) REFERENCES `raffles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffle_entries_quantity_positive" CHECK("raffle_entries"."quantity" > 0),
	CONSTRAINT "raffle_entries_amount_nonneg" CHECK("raffle_entries"."amount" >= 0),
	CONSTRAINT "raffle_entries_status_valid" CHECK("raffle_entries"."status" in ('pending','paid','expired','failed','refunded'))
);
--> statement-breakpoint
CREATE INDEX `raffle_entries_raffle` ON `raffle_entries` (`raffle_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `raffle_entries_pending_expiry` ON `raffle_entries` (`status`,`expires_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `raffle_entries_event_ticket` ON `raffle_entries` (`raffle_id`,`event_ticket_id`);--> statement-breakpoint
CREATE TABLE `raffle_prizes` (
	`raffle_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`donor` text,
	`value` integer,
	PRIMARY KEY(`raffle_id`, `position`),
	FOREIGN KEY (`raffle_id`) REFERENCES `raffles`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffle_prizes_value_nonneg" CHECK("raffle_prizes"."value" is null or "raffle_prizes"."value" >= 0)
);
--> statement-breakpoint
CREATE TABLE `raffle_tickets` (
	`raffle_id` text NOT NULL,
	`number` integer NOT NULL,
	`entry_id` text NOT NULL,
	`status` text NOT NULL,
	PRIMARY KEY(`raffle_id`, `number`),
	FOREIGN KEY (`raffle_id`) REFERENCES `raffles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`entry_id`) REFERENCES `raffle_entries`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffle_tickets_number_positive" CHECK("raffle_tickets"."number" > 0)
);
--> statement-breakpoint
CREATE INDEX `raffle_tickets_entry` ON `raffle_tickets` (`entry_id`);--> statement-breakpoint
CREATE TABLE `raffles` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text,
	`campaign_id` text,
	`title` text NOT NULL,
	`rules` text DEFAULT '' NOT NULL,
	`jurisdiction` text NOT NULL,
	`licence` text,
	`authority` text,
	`age_limit` integer,
	`draw_at` integer,
	`draw_place` text,
	`claim_days` integer DEFAULT 30 NOT NULL,
	`entry` text NOT NULL,
	`currency` text NOT NULL,
	`bundles` text DEFAULT '[]' NOT NULL,
	`max_tickets` integer,
	`sales_start` integer,
	`sales_end` integer,
	`one_prize_per_person` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`commitment` text,
	`seed` text,
	`pool` text,
	`same_holder` text,
	`closed_at` integer,
	`drawn_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffles_belongs" CHECK("raffles"."event_id" is not null or "raffles"."campaign_id" is not null),
	CONSTRAINT "raffles_status_valid" CHECK("raffles"."status" in ('draft','open','closed','drawn','cancelled')),
	CONSTRAINT "raffles_entry_valid" CHECK("raffles"."entry" in ('paid','checked_in','signup')),
	CONSTRAINT "raffles_paid_has_campaign" CHECK("raffles"."entry" <> 'paid' or "raffles"."campaign_id" is not null),
	CONSTRAINT "raffles_max_positive" CHECK("raffles"."max_tickets" is null or "raffles"."max_tickets" > 0),
	CONSTRAINT "raffles_claim_days_positive" CHECK("raffles"."claim_days" > 0),
	CONSTRAINT "raffles_age_limit" CHECK("raffles"."age_limit" is null or ("raffles"."age_limit" > 0 and "raffles"."age_limit" < 100))
);
--> statement-breakpoint
CREATE INDEX `raffles_event` ON `raffles` (`event_id`);--> statement-breakpoint
CREATE INDEX `raffles_campaign` ON `raffles` (`campaign_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`gift_id` text,
	`order_id` text,
	`raffle_entry_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raffle_entry_id`) REFERENCES `raffle_entries`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "checkouts_one_subject" CHECK(("__new_checkouts"."gift_id" is not null) + ("__new_checkouts"."order_id" is not null) + ("__new_checkouts"."raffle_entry_id" is not null) = 1)
);
--> statement-breakpoint
INSERT INTO `__new_checkouts`("id", "provider", "gift_id", "order_id", "raffle_entry_id", "amount", "currency", "status", "expires_at", "created_at", "completed_at") SELECT "id", "provider", "gift_id", "order_id", NULL, "amount", "currency", "status", "expires_at", "created_at", "completed_at" FROM `checkouts`;--> statement-breakpoint
DROP TABLE `checkouts`;--> statement-breakpoint
ALTER TABLE `__new_checkouts` RENAME TO `checkouts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `checkouts_gift` ON `checkouts` (`gift_id`);--> statement-breakpoint
CREATE INDEX `checkouts_order` ON `checkouts` (`order_id`);--> statement-breakpoint
CREATE INDEX `checkouts_raffle_entry` ON `checkouts` (`raffle_entry_id`);--> statement-breakpoint
ALTER TABLE `ledger_entries` ADD `raffle_entry_id` text REFERENCES raffle_entries(id);