import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * What the specs that run the BUILT server (`node dist/src/main.js` in its own process) share:
 * where it is, the Node 24 that runs it, a build when the sources are newer, and free ports.
 */

export const ROOT = resolve(__dirname, '..', '..');
/** OW_SERVER_ENTRY points the process specs at another build. */
export const ENTRY = process.env.OW_SERVER_ENTRY ?? join(ROOT, 'dist', 'src', 'main.js');
/** The project's Node 24 (the `node` devDependency), else the one running the tests. */
export const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node'))
  ? join(ROOT, 'node_modules', '.bin', 'node')
  : process.execPath;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(
      newest,
      e.isDirectory() ? newestMtime(p) : /(?<!\.spec)\.ts$/.test(e.name) ? statSync(p).mtimeMs : 0,
    );
  }
  return newest;
}

/** Builds dist/ unless it is at least as new as every source file (CI builds before testing). */
export function ensureBuilt(): void {
  if (process.env.OW_SERVER_ENTRY) return;
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'migrations')));
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= sources) return;
  const built = spawnSync(NODE, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (built.status !== 0) throw new Error(`nest build failed:\n${built.stdout}\n${built.stderr}`);
}

/** Ports this process has handed out: the system may offer a just-released port again at once. */
const handedOut = new Set<number>();

/**
 * A port free on 127.0.0.1 when asked, known before a server starts (so its PUBLIC_BASE_URL can
 * name it), and never one this process handed out before. Not reserved: whoever binds it may find
 * it taken meanwhile and should try another.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((ok, fail) => {
      const srv = createServer();
      srv.once('error', fail);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => ok(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
