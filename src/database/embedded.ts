import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  /** Resolves once no client holds the single connection slot (the previous one has fully left). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/**
 * PGlite's server settings. Its defaults are a dedicated server's, but in-process every page its
 * WASM heap ever touched stays resident memory of the API itself (the heap never shrinks), and the
 * embedded database is a development and single-node default holding little data:
 * - shared_buffers 128 MB → 16 MB: ~140 MB less RSS at ready;
 * - maintenance_work_mem 64 MB → 16 MB: the index builds of the first start's migrations grow
 *   the heap less (~7 MB).
 * No slower embedded query was measurable (README, "Benchmarks").
 */
export const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'maintenance_work_mem=16MB'];

/**
 * Creates a new data directory (initdb) in a short-lived child process. initdb runs in a second
 * WASM instance whose compiled code and memory stay resident in the process that ran it (~150 MB
 * more at ready than opening an existing directory, 1.2 GB at its peak); in a child they leave
 * with it. Costs one more Node start and PGlite load (~1 s) once, when the directory is created.
 */
async function initDataDir(dir: string): Promise<void> {
  const entry = require.resolve('@electric-sql/pglite');
  await promisify(execFile)(process.execPath, [
    '-e',
    `require(${JSON.stringify(entry)}).PGlite.create(process.argv[1]).then((db) => db.close())`,
    dir,
  ]);
}

/**
 * Starts PGlite behind its socket server on loopback, so the app talks to it with the ordinary
 * `pg` driver. PGlite is one session: the server accepts one connection at a time and the app
 * uses a pool of one, so transactions are serialised and a rollback cannot leak into another
 * request's transaction (typeorm-pglite shares one session between concurrent transactions).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === ':memory:';
  if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
  const dir = inMemory ? undefined : resolve(dataDir, 'pg');
  if (dir && !existsSync(resolve(dir, 'PG_VERSION'))) await initDataDir(dir);
  const db = await PGlite.create(dir, {
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((s) => ['-c', s])],
  });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 1 });
  await server.start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    // The server frees its slot a tick after a client disconnects; connecting earlier is refused
    // ("Too many connections"), which the app's pool would log as an error and retry.
    idle: async (timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while (server.getStats().activeConnections > 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
