// `npm start`: builds dist/ only when its inputs changed since the last build, then runs the built
// server. Plain JavaScript so that it runs before (and without) a build.
//
// Freshness: a fingerprint of every build input (path, size and mtime of each file under src/,
// migrations/, scripts/ and bench/ except specs, the tsconfig files, nest-cli.json, package.json and
// package-lock.json) is written to dist/.build-stamp after a successful build. A start whose
// fingerprint matches skips the build; any touched, added or removed input rebuilds. The fingerprint
// is taken before the build, so a file edited while it runs makes the next start build again.
//
// Signals: the server runs in its own process group and this launcher forwards SIGTERM, SIGINT and
// SIGHUP to it once, so it gets exactly one signal whether it came from a supervisor, from npm
// (which forwards signals itself) or from Ctrl-C in a terminal; the server's exit code (or signal)
// becomes the launcher's. The Dockerfile starts dist/src/main.js directly and does not use this.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const ENTRY = join(DIST, 'src', 'main.js');
const INPUT_DIRS = ['src', 'migrations', 'scripts', 'bench'];
const INPUT_FILES = [
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];

/** Files under dir that the build compiles or copies (specs are excluded by tsconfig.build.json). */
function inputsUnder(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) inputsUnder(p, out);
    else if (e.isFile() && !/\.(e2e-)?spec\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

function fingerprint() {
  const files = [];
  for (const d of INPUT_DIRS) inputsUnder(join(ROOT, d), files);
  for (const f of INPUT_FILES) if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  const hash = createHash('sha256');
  for (const f of files.sort()) {
    const s = statSync(f);
    hash.update(`${relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function staleReason(current) {
  if (!existsSync(ENTRY)) return 'no build';
  if (!existsSync(STAMP)) return 'no build stamp';
  return readFileSync(STAMP, 'utf8').trim() === current ? null : 'sources changed';
}

const say = (s) => process.stdout.write(`${s}\n`);

const current = fingerprint();
const reason = staleReason(current);
if (reason) {
  say(`OneWindow start: building (${reason})`);
  const nest = join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const built = spawnSync(process.execPath, [nest, 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stderr.write(`OneWindow start: the build failed (${built.status ?? built.signal})\n`);
    process.exit(built.status || 1);
  }
  writeFileSync(STAMP, `${current}\n`);
} else {
  say('OneWindow start: build up to date');
}

function heapLimitMb() {
  const raw = process.env.NODE_HEAP_MB ?? '256';
  if (!/^[1-9][0-9]{1,5}$/.test(raw)) {
    process.stderr.write(`OneWindow start: NODE_HEAP_MB must be a whole number of megabytes, not ${raw}\n`);
    process.exit(1);
  }
  return raw;
}

const server = spawn(
  process.execPath,
  // NODE_HEAP_MB: the old-space ceiling (256 MB keeps RSS near the live heap; a deployment whose
  // live heap needs more raises it rather than crash out of memory).
  ['--max-semi-space-size=16', `--max-old-space-size=${heapLimitMb()}`, ENTRY, ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Its own process group: a terminal's Ctrl-C reaches only this launcher, which forwards it once.
    detached: true,
  },
);

let forwarded = false;
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => {
    // The first signal starts the server's drain; a repeated one (npm forwards what the terminal
    // also delivered) must not kill it halfway. The server bounds its own shutdown time.
    if (forwarded) return;
    forwarded = true;
    server.kill(signal);
  });
}

server.on('error', (err) => {
  process.stderr.write(`OneWindow start: cannot run the server: ${err.message}\n`);
  process.exit(1);
});
server.on('exit', (code, signal) => {
  if (code !== null) process.exit(code);
  // Killed by a signal: die of the same one, so a supervisor sees what happened.
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.removeAllListeners(s);
  process.kill(process.pid, signal);
});
