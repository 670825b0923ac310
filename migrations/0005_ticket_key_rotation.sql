CREATE TABLE `retired_ticket_keys` (
	`event_id` text NOT NULL,
	`kid` text NOT NULL,
	`public_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer NOT NULL,
	PRIMARY KEY(`event_id`, `kid`),
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `event_ticket_keys` ADD `kid` text DEFAULT 'k1' NOT NULL;