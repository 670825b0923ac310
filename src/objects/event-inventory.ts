import { DurableObject } from "cloudflare:workers";

/** One per event: the truth about every seat. Filled in by the inventory work. */
export class EventInventory extends DurableObject<Env> {}
