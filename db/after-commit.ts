import { AsyncLocalStorage } from 'node:async_hooks';

/** Anything with Prisma's `$transaction`; the Db type itself would make this module import the client. */
interface Transactional {
  $transaction: (...args: never[]) => Promise<unknown>;
}

interface OpenTransaction {
  db: object;
  callbacks: ((db: object) => void)[];
}

const openTransaction = new AsyncLocalStorage<OpenTransaction>();

/**
 * Lets code running inside `db.$transaction(async (tx) => ...)` defer work
 * until that transaction has committed (see afterCommit). Each interactive
 * transaction gets its own list, carried by AsyncLocalStorage into the
 * callback, so concurrent transactions never see each other's.
 *
 * Patches `$transaction` on this one client instance (db/client.ts applies it
 * to every client it opens); the batch form `$transaction([...])` runs code of
 * no one's and is passed through untouched.
 */
export function trackCommits<T extends Transactional>(db: T): T {
  const transaction = db.$transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(db, '$transaction', {
    configurable: true,
    writable: true,
    value: async (...args: unknown[]) => {
      if (typeof args[0] !== 'function') return transaction(...args);
      const open: OpenTransaction = { db, callbacks: [] };
      const result = await openTransaction.run(open, () => transaction(...args));
      // Reached only once Prisma has committed; a rollback threw above and drops the list.
      for (const callback of open.callbacks) {
        try {
          callback(db);
        } catch {
          // Bookkeeping (a metric) must never turn a committed transaction into a failed call.
        }
      }
      return result;
    },
  });
  return db;
}

/**
 * Runs `callback` with the client once the enclosing interactive transaction
 * has committed, and never if it rolls back. Outside a tracked transaction
 * there is nothing to wait for and nothing to hand over: the callback is
 * dropped, so only use this for bookkeeping such as metrics.
 */
export function afterCommit(callback: (db: object) => void): void {
  openTransaction.getStore()?.callbacks.push(callback);
}
