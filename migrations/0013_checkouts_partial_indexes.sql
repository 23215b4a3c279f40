DROP INDEX `checkouts_gift`;--> statement-breakpoint
DROP INDEX `checkouts_provider_ref`;--> statement-breakpoint
DROP INDEX `checkouts_provider_payment`;--> statement-breakpoint
DROP INDEX `checkouts_order`;--> statement-breakpoint
DROP INDEX `checkouts_raffle_entry`;--> statement-breakpoint
DROP INDEX `checkouts_pledge_payment`;--> statement-breakpoint
CREATE INDEX `checkouts_gift` ON `checkouts` (`gift_id`) WHERE "checkouts"."gift_id" is not null;--> statement-breakpoint
CREATE INDEX `checkouts_provider_ref` ON `checkouts` (`provider`,`provider_ref`) WHERE "checkouts"."provider_ref" is not null;--> statement-breakpoint
CREATE INDEX `checkouts_provider_payment` ON `checkouts` (`provider`,`provider_payment`) WHERE "checkouts"."provider_payment" is not null;--> statement-breakpoint
CREATE INDEX `checkouts_order` ON `checkouts` (`order_id`) WHERE "checkouts"."order_id" is not null;--> statement-breakpoint
CREATE INDEX `checkouts_raffle_entry` ON `checkouts` (`raffle_entry_id`) WHERE "checkouts"."raffle_entry_id" is not null;--> statement-breakpoint
CREATE INDEX `checkouts_pledge_payment` ON `checkouts` (`pledge_payment_id`) WHERE "checkouts"."pledge_payment_id" is not null;