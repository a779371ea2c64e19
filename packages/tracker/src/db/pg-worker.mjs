// The thread that talks to PostgreSQL for PostgresDatabase (postgres.ts). node-postgres is
// asynchronous and the tracker's API is synchronous (like better-sqlite3's): the caller posts one
// request, blocks on Atomics.wait, and this thread runs it on its own event loop, posts the reply
// and wakes the caller. Plain JavaScript so that it loads in a bare Worker under any runner (tsx,
// vitest, node) without a TypeScript loader. Every request gets exactly one reply, errors included.
import { workerData } from 'node:worker_threads';

const { port, shared } = workerData;
const flag = new Int32Array(shared);
/** @type {import('pg').Client | null} */
let client = null;
/** Set when the connection broke; the next request outside a transaction reconnects. */
let broken = null;
let url = '';
let connectTimeoutMs = 10_000;

// bigint (int8: ids, Unix-millisecond times, counts) and numeric (avg of integers) come back as
// text by default; every value the tracker stores in them is a safe integer or a float.
const parsers = { 20: (v) => Number(v), 1700: (v) => Number(v) };

async function connect() {
  const pg = (await import('pg')).default;
  const c = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    types: { getTypeParser: (oid, format) => parsers[oid] ?? pg.types.getTypeParser(oid, format) },
  });
  // An idle connection that breaks (server restart) must not crash the process: remember it.
  c.on('error', (err) => {
    broken = err;
  });
  await c.connect();
  client = c;
  broken = null;
}

async function handle(m) {
  switch (m.op) {
    case 'connect':
      url = m.url;
      connectTimeoutMs = m.connectTimeoutMs;
      await connect();
      return {};
    case 'query': {
      if (client && broken) {
        client.end().catch(() => {});
        client = null;
      }
      if (!client) {
        if (!m.reconnect) throw Object.assign(new Error(`connection lost inside a transaction: ${broken?.message ?? 'closed'}`), { code: 'CONNECTION_LOST' });
        await connect();
      }
      const res = await client.query({ text: m.sql, values: m.params, rowMode: m.rowMode });
      // A multi-statement exec() answers with one result per statement.
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    }
    case 'close':
      if (client) await client.end().catch(() => {});
      client = null;
      return {};
    default:
      throw new Error(`unknown request ${m.op}`);
  }
}

port.on('message', async (m) => {
  let reply;
  try {
    reply = { ok: true, ...(await handle(m)) };
  } catch (err) {
    const e = /** @type {{ message?: string, code?: string }} */ (err ?? {});
    reply = { ok: false, message: String(e.message ?? err), code: typeof e.code === 'string' ? e.code : undefined };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
