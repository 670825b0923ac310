/**
 * The API client: JSON in and out, the session in localStorage, one refresh attempt on 401, and
 * problem+json errors turned into `ApiError` with the server's detail.
 */
import { idbKv } from "./idb-kv";

export type User = {
  id: string;
  email: string;
  name: string | null;
  role: "fan" | "organizer" | "admin";
  organizerId: string | null;
  /** Rights inside the organizer (owners manage members); absent in sessions saved before it existed. */
  organizerRole?: "owner" | "staff" | null;
};
type Session = { accessToken: string; refreshToken: string; user: User };

const KEY = "edge-tickets.session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: {
      title?: string;
      detail?: string;
      code?: string;
      errors?: { path: string; message: string }[];
      [k: string]: unknown;
    },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  /** The detail plus any field errors, for showing to a person. */
  describe(): string {
    const fields = (this.problem.errors ?? []).map((e) => `${e.path || "body"}: ${e.message}`);
    return [this.message, ...fields].join("\n");
  }
}

export function session(): Session | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null) {
  if (s)
    localStorage.setItem(
      KEY,
      JSON.stringify({ accessToken: s.accessToken, refreshToken: s.refreshToken, user: s.user }),
    );
  else localStorage.removeItem(KEY);
}

export const currentUser = () => session()?.user ?? null;

let refreshing: Promise<boolean> | null = null;
/** Runs `fn` while no other tab of this site refreshes (a rotated refresh token works once only). */
const refreshLock = (fn: () => Promise<boolean>): Promise<boolean> =>
  typeof navigator !== "undefined" && navigator.locks ? navigator.locks.request("edge-tickets.refresh", fn) : fn();

/**
 * The last rotation (the spent refresh token and the session it bought), written before the lock
 * is let go. The next tab through the lock may still read the spent token from its own copy of
 * localStorage, whose news of the other tab's write arrives when it arrives; it takes the session
 * from here instead of presenting that token again.
 */
const rotations = idbKv("edge-tickets-session");
type Rotation = { spent: string; session: Session };
const rotatedFrom = async (token: string): Promise<Session | null> => {
  const r = await rotations.get<Rotation>("last").catch(() => undefined);
  return r?.spent === token ? r.session : null;
};

/**
 * Rotates the refresh token for a new session. Tabs take turns, and a tab whose refused access
 * token (`refused`) another tab has meanwhile replaced uses that tab's session instead of
 * rotating again: two tabs rotating the same token would look like a stolen token to the server,
 * which then ends the whole sign-in.
 */
async function refresh(refused?: string): Promise<boolean> {
  if (!session()) return false;
  refreshing ??= refreshLock(async () => {
    let s = session();
    if (!s) return false;
    const handed = await rotatedFrom(s.refreshToken);
    if (handed) {
      saveSession(handed);
      s = handed;
    }
    if (refused && s.accessToken !== refused) return true;
    const res = await fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    if (!res.ok) {
      saveSession(null);
      return false;
    }
    const fresh = (await res.json()) as Session;
    await rotations.put("last", { spent: s.refreshToken, session: fresh } satisfies Rotation).catch(() => {});
    saveSession(fresh);
    return true;
  }).finally(() => (refreshing = null));
  return refreshing;
}

/**
 * Swaps the session for a fresh one now, so a change of role (joining an organizer) shows in the
 * access token and the stored user without waiting for the old token to expire.
 */
export const refreshSession = () => refresh();

type Options = { headers?: Record<string, string>; raw?: boolean };

/** Calls the API; throws ApiError on a non-2xx answer. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: Options = {}): Promise<T> {
  return answer<T>(await send(method, path, body, opts));
}

/** A response's JSON (undefined for 204 or an empty body); ApiError with the problem on a non-2xx. */
async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ApiError(res.status, (data ?? {}) as ApiError["problem"]);
  return data as T;
}

/**
 * A public document read exactly as the page's `<link rel="preload" as="fetch">` asked for it (no
 * auth, default cache mode), so the browser hands over the preloaded answer instead of asking again.
 */
export async function publicJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path));
}

/** The raw Response, with auth and one refresh; for 304 handling and binary bodies. */
export async function send(
  method: string,
  path: string,
  body?: unknown,
  opts: Options = {},
  retried = false,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.accessToken}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (res.status === 401 && s && !retried) {
    if (await refresh(s.accessToken)) return send(method, path, body, opts, true);
    // The session is over (signed out everywhere, or the refresh token expired): sign in again.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  return res;
}

/** Sends the visitor to sign in when there is no session; returns the user otherwise. */
export function requireUser(roles?: User["role"][]): User | null {
  const u = currentUser();
  if (!u) {
    // The hash too: an email's ticket link (/orders/…#ticket-…) lands on that ticket after sign-in.
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`;
    return null;
  }
  if (roles && !roles.includes(u.role)) return null;
  return u;
}

export async function logout() {
  const s = session();
  saveSession(null);
  await rotations.delete("last").catch(() => {});
  if (s)
    await fetch("/v1/auth/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    }).catch(() => {});
}
