CREATE TABLE `provider_refunds` (
	`provider` text NOT NULL,
	`refund_id` text NOT NULL,
	`checkout_id` text NOT NULL,
	`amount` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `refund_id`),
	FOREIGN KEY (`checkout_id`) REFERENCES `checkouts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `provider_refunds_checkout` ON `provider_refunds` (`checkout_id`);