import { requireCurrentAuth, requireRole } from "../../auth/middleware";
import { createRouter } from "../router";
import { auditRoutes } from "./audit";
import { checkInRoutes } from "./check-in";
import { checkInBatchRoutes } from "./check-in-batch";
import { eventRoutes } from "./events";
import { exportRoutes } from "./exports";
import { inventoryRoutes } from "./inventory";
import { invitationRoutes } from "./invitations";
import { layoutRoutes } from "./layouts";
import { adminNotificationRoutes } from "./notifications";
import { adminOrderRoutes } from "./orders";
import { organizerRoutes } from "./organizers";
import { adminQueueRoutes } from "./queue";
import { tierRoutes } from "./tiers";
import { venueRoutes } from "./venues";

/** Everything under /v1/admin: organizer and admin accounts only, scoped to the caller's organizer. */
export const admin = createRouter();
// requireCurrentAuth: a removed member, a demoted admin or an ended session is refused within 60 s.
admin.use("*", requireCurrentAuth, requireRole("organizer", "admin"));
admin.route("/", organizerRoutes);
admin.route("/", invitationRoutes);
admin.route("/", venueRoutes);
admin.route("/", layoutRoutes);
admin.route("/", eventRoutes);
admin.route("/", tierRoutes);
admin.route("/", inventoryRoutes);
admin.route("/", adminQueueRoutes);
admin.route("/", adminOrderRoutes);
admin.route("/", exportRoutes);
admin.route("/", checkInRoutes);
admin.route("/", checkInBatchRoutes);
admin.route("/", adminNotificationRoutes);
admin.route("/", auditRoutes);
