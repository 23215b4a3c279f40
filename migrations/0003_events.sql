CREATE TABLE `event_series` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `event_series_slug_unique` ON `event_series` (`slug`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`timezone` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`venue_name` text,
	`venue_address` text,
	`venue_city` text,
	`venue_country` text,
	`online_url` text,
	`series_id` text,
	`campaign_id` text,
	`currency` text NOT NULL,
	`capacity` integer,
	`hosts` text DEFAULT '[]' NOT NULL,
	`speakers` text DEFAULT '[]' NOT NULL,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`series_id`) REFERENCES `event_series`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "events_kind_valid" CHECK("events"."kind" in ('screening','seminar','social','run','other')),
	CONSTRAINT "events_status_valid" CHECK("events"."status" in ('draft','published','cancelled')),
	CONSTRAINT "events_times" CHECK("events"."ends_at" > "events"."starts_at"),
	CONSTRAINT "events_capacity_positive" CHECK("events"."capacity" is null or "events"."capacity" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_slug_unique` ON `events` (`slug`);--> statement-breakpoint
CREATE INDEX `events_start` ON `events` (`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `events_series` ON `events` (`series_id`);--> statement-breakpoint
CREATE TABLE `order_items` (
	`order_id` text NOT NULL,
	`ticket_type_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price` integer NOT NULL,
	PRIMARY KEY(`order_id`, `ticket_type_id`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_type_id`) REFERENCES `ticket_types`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "order_items_quantity_positive" CHECK("order_items"."quantity" > 0),
	CONSTRAINT "order_items_price_nonneg" CHECK("order_items"."unit_price" >= 0)
);
--> statement-breakpoint
CREATE INDEX `order_items_type` ON `order_items` (`ticket_type_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`method` text NOT NULL,
	`buyer_name` text NOT NULL,
	`buyer_email` text,
	`currency` text NOT NULL,
	`tickets_total` integer NOT NULL,
	`donation` integer DEFAULT 0 NOT NULL,
	`donation_gift_id` text,
	`campaign_amount` integer,
	`rate` text,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`refunded_campaign_amount` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`paid_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`donation_gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "orders_totals_nonneg" CHECK("orders"."tickets_total" >= 0 and "orders"."donation" >= 0),
	CONSTRAINT "orders_refund_bounds" CHECK("orders"."refunded_amount" >= 0 and "orders"."refunded_amount" <= "orders"."tickets_total"),
	CONSTRAINT "orders_status_valid" CHECK("orders"."status" in ('pending','paid','expired','failed','cancelled','refunded','partially_refunded'))
);
--> statement-breakpoint
CREATE INDEX `orders_event_status` ON `orders` (`event_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `orders_pending_expiry` ON `orders` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `ticket_types` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`price` integer NOT NULL,
	`min_price` integer,
	`quantity` integer NOT NULL,
	`sales_start` integer,
	`sales_end` integer,
	`min_per_order` integer DEFAULT 1 NOT NULL,
	`max_per_order` integer DEFAULT 10 NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ticket_types_price_nonneg" CHECK("ticket_types"."price" >= 0),
	CONSTRAINT "ticket_types_min_price" CHECK("ticket_types"."min_price" is null or ("ticket_types"."min_price" >= 0 and "ticket_types"."min_price" <= "ticket_types"."price")),
	CONSTRAINT "ticket_types_quantity_positive" CHECK("ticket_types"."quantity" > 0),
	CONSTRAINT "ticket_types_order_limits" CHECK("ticket_types"."min_per_order" >= 1 and "ticket_types"."max_per_order" >= "ticket_types"."min_per_order")
);
--> statement-breakpoint
CREATE INDEX `ticket_types_event` ON `ticket_types` (`event_id`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`order_id` text NOT NULL,
	`ticket_type_id` text NOT NULL,
	`event_id` text NOT NULL,
	`status` text NOT NULL,
	`checked_in_at` integer,
	`checked_in_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_type_id`) REFERENCES `ticket_types`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_code_unique` ON `tickets` (`code`);--> statement-breakpoint
CREATE INDEX `tickets_order` ON `tickets` (`order_id`);--> statement-breakpoint
CREATE INDEX `tickets_event` ON `tickets` (`event_id`);--> statement-breakpoint
CREATE TABLE `waitlist` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`ticket_type_id` text,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`quantity` integer NOT NULL,
	`status` text NOT NULL,
	`offer_token_hash` text,
	`offer_expires_at` integer,
	`order_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_type_id`) REFERENCES `ticket_types`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "waitlist_quantity_positive" CHECK("waitlist"."quantity" > 0)
);
--> statement-breakpoint
CREATE INDEX `waitlist_event` ON `waitlist` (`event_id`,`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `waitlist_offer_token` ON `waitlist` (`offer_token_hash`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`gift_id` text,
	`pledge_id` text,
	`refund_id` text,
	`order_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pledge_id`) REFERENCES `match_pledges`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`refund_id`) REFERENCES `gift_refunds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ledger_amount_nonzero" CHECK("__new_ledger_entries"."amount" <> 0),
	CONSTRAINT "ledger_kind_valid" CHECK("__new_ledger_entries"."kind" in ('gift','refund','match','ticket','raffle'))
);
--> statement-breakpoint
INSERT INTO `__new_ledger_entries`("id", "campaign_id", "kind", "amount", "gift_id", "pledge_id", "refund_id", "order_id", "created_at") SELECT "id", "campaign_id", "kind", "amount", "gift_id", "pledge_id", "refund_id", NULL, "created_at" FROM `ledger_entries`;--> statement-breakpoint
DROP TABLE `ledger_entries`;--> statement-breakpoint
ALTER TABLE `__new_ledger_entries` RENAME TO `ledger_entries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `ledger_campaign` ON `ledger_entries` (`campaign_id`,`kind`);--> statement-breakpoint
CREATE INDEX `ledger_pledge` ON `ledger_entries` (`pledge_id`);--> statement-breakpoint
CREATE INDEX `ledger_order` ON `ledger_entries` (`order_id`);--> statement-breakpoint
CREATE TABLE `__new_checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`gift_id` text,
	`order_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "checkouts_one_subject" CHECK(("__new_checkouts"."gift_id" is null) <> ("__new_checkouts"."order_id" is null))
);
--> statement-breakpoint
INSERT INTO `__new_checkouts`("id", "provider", "gift_id", "order_id", "amount", "currency", "status", "expires_at", "created_at", "completed_at") SELECT "id", "provider", "gift_id", NULL, "amount", "currency", "status", "expires_at", "created_at", "completed_at" FROM `checkouts`;--> statement-breakpoint
DROP TABLE `checkouts`;--> statement-breakpoint
ALTER TABLE `__new_checkouts` RENAME TO `checkouts`;--> statement-breakpoint
CREATE INDEX `checkouts_gift` ON `checkouts` (`gift_id`);--> statement-breakpoint
CREATE INDEX `checkouts_order` ON `checkouts` (`order_id`);--> statement-breakpoint
ALTER TABLE `campaign_totals` ADD `tickets` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaign_totals` ADD `raffles` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `mail_outbox` ADD `attachments` text DEFAULT '[]' NOT NULL;