/**
 * Throw-away servers on loopback for tests (Debian's redis-server and postgresql), shared by the
 * packages whose tests need them. Test code only: no package depends on this at run time.
 */
export { freePort } from './free-port.js';
export { startRedis, type RedisServer, type RedisStart } from './redis.js';
export { startPostgres, type PostgresServer, type PostgresStart } from './postgres.js';
