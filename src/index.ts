import { createApp } from "./app";

export { EventInventory } from "./objects/event-inventory";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
