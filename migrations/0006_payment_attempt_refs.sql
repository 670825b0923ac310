ALTER TABLE `payments` ADD `hold_id` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `charge_ref` text;