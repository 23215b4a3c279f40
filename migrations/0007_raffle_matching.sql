CREATE TABLE `raffle_match_allocations` (
	`entry_id` text NOT NULL,
	`pledge_id` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `pledge_id`),
	FOREIGN KEY (`entry_id`) REFERENCES `raffle_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pledge_id`) REFERENCES `match_pledges`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "raffle_match_allocations_positive" CHECK("raffle_match_allocations"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `raffle_match_allocations_pledge` ON `raffle_match_allocations` (`pledge_id`);--> statement-breakpoint
ALTER TABLE `raffle_entries` ADD `match_seq` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `raffle_entries_match_seq` ON `raffle_entries` (`match_seq`);