CREATE TABLE `organizer_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`organizer_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`invited_by` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`responded_at` integer,
	`responded_by` text,
	FOREIGN KEY (`organizer_id`) REFERENCES `organizers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`responded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizer_invitations_pending_unique` ON `organizer_invitations` (`organizer_id`,`email`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `organizer_invitations_email_idx` ON `organizer_invitations` (`email`,`status`);--> statement-breakpoint
ALTER TABLE `users` ADD `organizer_role` text;--> statement-breakpoint
-- Hand-written data step: members attached before owner and staff existed become staff, except
-- each organizer's earliest member, who becomes its owner so every organizer keeps someone
-- able to manage its membership.
UPDATE `users` SET `organizer_role` = 'staff' WHERE `organizer_id` IS NOT NULL AND `role` = 'organizer';--> statement-breakpoint
UPDATE `users` SET `organizer_role` = 'owner' WHERE `organizer_id` IS NOT NULL AND `role` = 'organizer' AND NOT EXISTS (SELECT 1 FROM `users` AS `o` WHERE `o`.`organizer_id` = `users`.`organizer_id` AND `o`.`role` = 'organizer' AND (`o`.`created_at` < `users`.`created_at` OR (`o`.`created_at` = `users`.`created_at` AND `o`.`id` < `users`.`id`)));
