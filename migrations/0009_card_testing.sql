CREATE TABLE `payment_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`ip_hash` text NOT NULL,
	`email_hash` text,
	`kind` text NOT NULL,
	`checkout_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`checkout_id`) REFERENCES `checkouts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "payment_attempts_kind_valid" CHECK("payment_attempts"."kind" in ('gift','order','raffle'))
);
--> statement-breakpoint
CREATE INDEX `payment_attempts_ip` ON `payment_attempts` (`ip_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_attempts_email` ON `payment_attempts` (`email_hash`,`created_at`);