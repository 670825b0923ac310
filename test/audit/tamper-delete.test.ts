import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyChain } from "../../src/audit/query";
import { VerifySchema } from "../../src/routes/admin/audit";
import { createUser } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { auditMsg, rowsFor, runAudit } from "./helpers";

// Its own file: the tampering breaks the chain for everything that shares this storage.
describe("GET /v1/admin/audit/verify after a deletion", () => {
  it("reports the break at the row after the deleted one, also across verification pages", async () => {
    const msgs = Array.from({ length: 7 }, () => auditMsg());
    await runAudit(msgs);
    const gone = (await rowsFor(msgs[3]!.id!))[0]!;
    await env.DB.prepare("DROP TRIGGER audit_log_no_delete").run();
    await env.DB.prepare("DELETE FROM audit_log WHERE seq = ?").bind(gone.seq).run();
    const admin = await createUser({ role: "admin" });
    const v = VerifySchema.parse(
      await expectJson(await call("GET", "/v1/admin/audit/verify", { token: admin.token }), 200),
    );
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: gone.seq + 1, reason: "seq_gap" });
    // Pages of 2 rows: the break is found the same way across page boundaries.
    expect((await verifyChain(env.DB, 2)).firstBroken).toMatchObject({ seq: gone.seq + 1, reason: "seq_gap" });
  });
});
