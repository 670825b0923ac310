/** Redeemed socket tickets are kept in the object's key-value storage under this prefix until they expire. */
const TICKET_PREFIX = "live-ticket:";
const TICKET_SWEEP_MS = 60_000;

/**
 * The single-use half of a socket ticket (src/auth/live-tickets.ts): the Worker verifies the
 * signature and forwards `<id>;<expiresAt ms>`, and the object that opens the socket redeems it
 * once. Shared by the seat map's and the waiting room's sockets.
 */
export class RedeemedTickets {
  private sweptAt = 0;

  constructor(private readonly storage: DurableObjectStorage) {}

  /**
   * False when the ticket was used before or has expired. The input gate keeps the read and the
   * write together, so two sockets racing with one ticket cannot both pass. Ids are dropped once
   * their ticket has expired.
   */
  async redeem(header: string, now: number = Date.now()): Promise<boolean> {
    const [id, rawExp] = header.split(";");
    const exp = Number(rawExp);
    if (!id || !Number.isFinite(exp) || exp <= now) return false;
    const key = `${TICKET_PREFIX}${String(exp).padStart(15, "0")}:${id}`;
    if ((await this.storage.get(key)) !== undefined) return false;
    await this.storage.put(key, 1);
    if (now - this.sweptAt > TICKET_SWEEP_MS) {
      this.sweptAt = now;
      const stale = await this.storage.list({
        prefix: TICKET_PREFIX,
        end: `${TICKET_PREFIX}${String(now).padStart(15, "0")}`,
      });
      if (stale.size) await this.storage.delete([...stale.keys()]);
    }
    return true;
  }
}
