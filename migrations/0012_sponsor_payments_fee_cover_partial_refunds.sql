CREATE TABLE `pledge_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`pledge_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`paid_by_user_id` text,
	`expires_at` integer,
	`paid_at` integer,
	`refunded_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`pledge_id`) REFERENCES `match_pledges`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`paid_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "pledge_payments_amount_positive" CHECK("pledge_payments"."amount" > 0),
	CONSTRAINT "pledge_payments_status_valid" CHECK("pledge_payments"."status" in ('pending','paid','failed','expired','refunded'))
);
--> statement-breakpoint
CREATE INDEX `pledge_payments_pledge` ON `pledge_payments` (`pledge_id`,`status`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`gift_id` text,
	`order_id` text,
	`raffle_entry_id` text,
	`pledge_payment_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	`provider_ref` text,
	`provider_payment` text,
	FOREIGN KEY (`gift_id`) REFERENCES `gifts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raffle_entry_id`) REFERENCES `raffle_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pledge_payment_id`) REFERENCES `pledge_payments`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "checkouts_one_subject" CHECK(("__new_checkouts"."gift_id" is not null) + ("__new_checkouts"."order_id" is not null) + ("__new_checkouts"."raffle_entry_id" is not null) + ("__new_checkouts"."pledge_payment_id" is not null) = 1)
);
--> statement-breakpoint
INSERT INTO `__new_checkouts`("id", "provider", "gift_id", "order_id", "raffle_entry_id", "pledge_payment_id", "amount", "currency", "status", "expires_at", "created_at", "completed_at", "provider_ref", "provider_payment") SELECT "id", "provider", "gift_id", "order_id", "raffle_entry_id", NULL, "amount", "currency", "status", "expires_at", "created_at", "completed_at", "provider_ref", "provider_payment" FROM `checkouts`;--> statement-breakpoint
DROP TABLE `checkouts`;--> statement-breakpoint
ALTER TABLE `__new_checkouts` RENAME TO `checkouts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `checkouts_gift` ON `checkouts` (`gift_id`);--> statement-breakpoint
CREATE INDEX `checkouts_provider_ref` ON `checkouts` (`provider`,`provider_ref`);--> statement-breakpoint
CREATE INDEX `checkouts_provider_payment` ON `checkouts` (`provider`,`provider_payment`);--> statement-breakpoint
CREATE INDEX `checkouts_order` ON `checkouts` (`order_id`);--> statement-breakpoint
CREATE INDEX `checkouts_raffle_entry` ON `checkouts` (`raffle_entry_id`);--> statement-breakpoint
CREATE INDEX `checkouts_pledge_payment` ON `checkouts` (`pledge_payment_id`);--> statement-breakpoint
ALTER TABLE `gifts` ADD `fee_cover` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `gifts` ADD `fee_cover_refunded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `order_items` ADD `refunded_quantity` integer DEFAULT 0 NOT NULL;