ALTER TABLE `checkouts` ADD `provider_ref` text;--> statement-breakpoint
ALTER TABLE `checkouts` ADD `provider_payment` text;--> statement-breakpoint
CREATE INDEX `checkouts_provider_ref` ON `checkouts` (`provider`,`provider_ref`);--> statement-breakpoint
CREATE INDEX `checkouts_provider_payment` ON `checkouts` (`provider`,`provider_payment`);