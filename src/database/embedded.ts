import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
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
 * Starts PGlite behind its socket server on loopback, so the app talks to it with the ordinary
 * `pg` driver. PGlite is one session: the server accepts one connection at a time and the app
 * uses a pool of one, so transactions are serialised and a rollback cannot leak into another
 * request's transaction (typeorm-pglite shares one session between concurrent transactions).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === ':memory:';
  if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
  const db = await PGlite.create(inMemory ? undefined : resolve(dataDir, 'pg'));
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
