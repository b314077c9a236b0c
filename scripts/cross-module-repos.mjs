#!/usr/bin/env node
// Counts cross-module repository calls: `repo(X)` / `getRepository(X)` / `byId(X, …)` in a module other than the one
// that declares entity X (a module is src/modules/<front>/<name>; anything else under src/ is its own
// top folder). Each aggregate's SQL belongs to its module; other modules call that module's service.
// Usage: node scripts/cross-module-repos.mjs [--list] [--max N]   (exit 1 when the count exceeds N)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) yield p;
  }
}

function moduleOf(file) {
  const parts = relative(src, file).split(sep);
  return parts[0] === 'modules' ? parts.slice(0, 3).join('/') : parts[0];
}

const sources = [...files(src)].map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
const owner = new Map();
for (const { file, text } of sources)
  for (const m of text.matchAll(/@Entity\([^)]*\)\s*(?:@[\w.]+\([^)]*\)\s*)*export\s+class\s+(\w+)/g))
    owner.set(m[1], moduleOf(file));

const calls = [];
for (const { file, text } of sources) {
  const here = moduleOf(file);
  for (const m of text.matchAll(/\b(?:repo|getRepository|byId)\(\s*(\w+)\s*[,)]/g)) {
    const there = owner.get(m[1]);
    if (!there || there === here) continue;
    const line = text.slice(0, m.index).split('\n').length;
    calls.push({ at: `${relative(root, file)}:${line}`, entity: m[1], from: here, owner: there });
  }
}

const args = process.argv.slice(2);
if (args.includes('--list'))
  for (const c of calls) console.log(`${c.at}  ${c.entity} (${c.owner}) from ${c.from}`);
const byPair = new Map();
for (const c of calls)
  byPair.set(`${c.from} -> ${c.owner}`, (byPair.get(`${c.from} -> ${c.owner}`) ?? 0) + 1);
for (const [pair, n] of [...byPair].sort((a, b) => b[1] - a[1]))
  console.log(`${String(n).padStart(4)}  ${pair}`);
console.log(`cross-module repo() calls: ${calls.length} (entities known: ${owner.size})`);
const max = args.includes('--max') ? Number(args[args.indexOf('--max') + 1]) : Infinity;
if (calls.length > max) process.exit(1);
