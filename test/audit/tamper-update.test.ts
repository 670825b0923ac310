import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { VerifySchema } from "../../src/routes/admin/audit";
import { createUser } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { auditMsg, rowsFor, runAudit } from "./helpers";

// Its own file: the tampering breaks the chain for everything that shares this storage.
describe("GET /v1/admin/audit/verify after tampering", () => {
  it("reports exactly the row whose data was changed", async () => {
    const msgs = Array.from({ length: 5 }, (_, i) => auditMsg({ data: { amount: 100 + i } }));
    await runAudit(msgs);
    const target = (await rowsFor(msgs[2]!.id!))[0]!;
    // An attacker with database access: drop the guard, then rewrite one row.
    await env.DB.prepare("DROP TRIGGER audit_log_no_update").run();
    await env.DB.prepare(`UPDATE audit_log SET data = '{"amount":1}' WHERE seq = ?`).bind(target.seq).run();
    const admin = await createUser({ role: "admin" });
    const v = VerifySchema.parse(
      await expectJson(await call("GET", "/v1/admin/audit/verify", { token: admin.token }), 200),
    );
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: target.seq, reason: "hash_mismatch" });
    expect(v.firstBroken!.expectedHash).not.toBe(v.firstBroken!.storedHash);
  });
});
