ALTER TABLE `events` ADD `cancelled_at` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `gift_offer_until` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `donation_public` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `converted_gift_id` text REFERENCES gifts(id);