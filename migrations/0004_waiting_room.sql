ALTER TABLE `events` ADD `queue_enabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `queue_rate_per_minute` integer DEFAULT 600 NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `queue_max_shopping` integer DEFAULT 500 NOT NULL;