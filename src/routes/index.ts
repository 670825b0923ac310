import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { admin } from "./admin";
import { bindingCountRoutes } from "./admin/binding-counts";
import { metricsRoutes } from "./admin/metrics";
import { auth } from "./auth";
import { docs } from "./docs";
import { events } from "./events";
import { eventCalendar } from "./event-calendar";
import { eventLayout } from "./event-layout";
import { health } from "./health";
import { mailbox } from "./mailbox";
import { holds } from "./holds";
import { live } from "./live";
import { orderRoutes } from "./orders";
import { queueRoutes } from "./queue";
import { simulatedPay } from "./simulated-pay";
import { webhooks } from "./webhooks";
import { me } from "./me";
import { meInvitations } from "./me-invitations";
import { meOidc } from "./me-oidc";
import { seats } from "./seats";
import { ticketRoutes } from "./tickets";
import { venues } from "./venues";

/** Mounts every resource router under /v1. */
export function mountRoutes(app: OpenAPIHono<AppEnv>) {
  app.route("/v1/health", health);
  app.route("/v1/admin/metrics", metricsRoutes); // before admin: operator token, not a user JWT
  app.route("/v1/admin/metrics/bindings", bindingCountRoutes); // the same
  app.route("/v1/admin", admin);
  app.route("/v1/auth", auth);
  app.route("/v1/me/invitations", meInvitations);
  app.route("/v1/me/oidc", meOidc);
  app.route("/v1/me", me);
  app.route("/v1/events", events);
  app.route("/v1", holds);
  app.route("/v1", queueRoutes);
  app.route("/v1", orderRoutes);
  app.route("/v1/webhooks", webhooks);
  app.route("/v1/pay/simulated", simulatedPay);
  app.route("/v1", seats);
  app.route("/v1", live);
  app.route("/v1", eventLayout);
  app.route("/v1", eventCalendar);
  app.route("/v1/venues", venues);
  app.route("/v1/tickets", ticketRoutes);
  app.route("/docs", docs);
  app.route("/", mailbox);
}
