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

// Errors that mean the server is away (restarting, unreachable, shutting down), not that the
// statement is wrong: the caller may retry them on a new connection. Node's socket codes, SQLSTATE
// class 08 (connection exception) and 57P01-03 (admin/crash shutdown, cannot connect now).
const AWAY = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

function away(err, c) {
  const code = /** @type {{ code?: unknown }} */ (err ?? {}).code;
  if (typeof code === 'string' && (AWAY.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // "Connection terminated unexpectedly" and the like carry no code; node-postgres marks the client
  // unusable (private fields, stable across 8.x) when its socket broke.
  return c !== null && (c._queryable === false || c._ended === true);
}

/** Marks an error as a lost connection for the caller (postgres.ts retries those). */
function lost(err) {
  return Object.assign(new Error(String(err?.message ?? err)), { code: 'CONNECTION_LOST' });
}

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
  try {
    await c.connect();
  } catch (err) {
    c.end().catch(() => {});
    // A refused or timed-out connection (no SQLSTATE) or a server starting up is worth retrying; a
    // wrong password or database (a SQLSTATE of their own) is not.
    const code = /** @type {{ code?: unknown }} */ (err ?? {}).code;
    throw typeof code !== 'string' || AWAY.has(code) ? lost(err) : err;
  }
  client = c;
  broken = null;
}

function drop() {
  client?.end().catch(() => {});
  client = null;
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
        const why = broken;
        drop();
        // Inside a transaction a new connection would run the rest of it outside the transaction.
        if (!m.reconnect) throw lost(why);
      }
      if (!client) {
        if (!m.reconnect) throw lost('connection lost inside a transaction');
        await connect();
      }
      let res;
      try {
        res = await client.query({ text: m.sql, values: m.params, rowMode: m.rowMode });
      } catch (err) {
        if (!away(err, client)) throw err;
        drop();
        throw lost(err);
      }
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
