/**
 * The bare baseline: node:http + pg running the same SQL as the API's public list, with the same
 * pool size, so `npm run bench` can report the API as a ratio of what hand-written code reaches.
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const LIST_SQL = `SELECT o.id, o.name, o.name_en, o.kind, o.region_code, o.parent_id, o.uscc, o.contacts, o.active, o.version
  FROM organisation o WHERE o.active = true ORDER BY o.id ASC LIMIT 21`;

interface OrganisationRow {
  id: string;
  name: string;
  name_en: string | null;
  kind: string;
  region_code: string;
  parent_id: string | null;
  uscc: string | null;
  contacts: unknown;
  active: boolean;
  version: number;
}

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  if (req.url?.startsWith('/list')) {
    pool.query<OrganisationRow>(LIST_SQL).then(
      ({ rows }) => {
        const items = rows.slice(0, 20).map((r) => ({
          id: r.id,
          name: r.name,
          kind: r.kind,
          regionCode: r.region_code,
          parentId: r.parent_id,
          uscc: r.uscc,
          contacts: r.contacts,
          active: r.active,
          version: r.version,
        }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items, nextCursor: rows.length > 20 ? 'x' : null }));
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
    return;
  }
  res.writeHead(404);
  res.end();
});

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
