ALTER TABLE `gift_refunds` ADD `provider_refund` text;--> statement-breakpoint
CREATE UNIQUE INDEX `gift_refunds_provider_refund` ON `gift_refunds` (`provider_refund`);