/**
 * A key-value store in IndexedDB. Unlike localStorage, whose copy Chromium caches per renderer
 * and updates in other tabs later, every tab reads IndexedDB through one backend, and a write
 * resolves only once its transaction has committed, so a tab that reads after another tab's
 * write has resolved sees it.
 */
export function idbKv(name: string) {
  const STORE = "kv";
  let opened: Promise<IDBDatabase> | null = null;
  const db = (): Promise<IDBDatabase> => {
    opened ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return opened;
  };
  const run = async <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> => {
    const tx = (await db()).transaction(STORE, mode);
    return new Promise((resolve, reject) => {
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error ?? req.error);
      tx.onabort = () => reject(tx.error);
    });
  };
  return {
    get: <T>(key: string) => run<T | undefined>("readonly", (s) => s.get(key)),
    put: (key: string, value: unknown) => run<void>("readwrite", (s) => s.put(value, key)),
    delete: (key: string) => run<void>("readwrite", (s) => s.delete(key)),
  };
}
