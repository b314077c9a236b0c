import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Where the IDE's files are served from: beside the endpoint, on our own origin. */
const GRAPHQL_IDE_ASSETS = '/graphql/ide';

/**
 * GraphiQL's prebuilt UMD bundle and the React 18 UMD builds it runs on, all from node_modules:
 * nothing is fetched from a CDN, so the page works offline (a government network may reach no
 * CDN) and under the default CSP (script-src 'self').
 */
const ASSETS: Record<string, string> = {
  'react.production.min.js': inPackage('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': inPackage('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': inPackage('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': inPackage('graphiql', 'graphiql.min.css'),
};

/** A file of an installed package (these files are outside the packages' `exports`). */
function inPackage(name: string, file: string): string {
  return join(dirname(require.resolve(`${name}/package.json`)), file);
}

/**
 * Starts GraphiQL against this endpoint. A file rather than an inline script, so the CSP needs no
 * 'unsafe-inline' for it. Fetch is same-origin with `Content-Type: application/json`, which
 * Apollo's CSRF prevention accepts.
 */
const INIT_JS = `(function () {
  var endpoint = new URL('/graphql', window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }),
  );
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>OneWindow GraphQL (GraphiQL)</title>
    <!-- No icon: otherwise the browser asks for /favicon.ico, which this API does not serve. -->
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${GRAPHQL_IDE_ASSETS}/graphiql.min.css" />
    <style>
      body { margin: 0; }
      #graphiql { height: 100dvh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="${GRAPHQL_IDE_ASSETS}/react.production.min.js"></script>
    <script src="${GRAPHQL_IDE_ASSETS}/react-dom.production.min.js"></script>
    <script src="${GRAPHQL_IDE_ASSETS}/graphiql.min.js"></script>
    <script src="${GRAPHQL_IDE_ASSETS}/init.js"></script>
  </body>
</html>
`;

/**
 * GET /graphql from a browser (Accept: text/html, no `query` parameter) answers the IDE page;
 * every other request (POST, GET with a query, a client asking for JSON) goes on to Apollo.
 * Mounted only where introspection is on (GRAPHQL_INTROSPECTION): the IDE needs it.
 */
export function mountGraphqlIde(app: INestApplication): void {
  app.use('/graphql', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/' && req.query.query === undefined && prefersHtml(req)) {
      res.set('Cache-Control', 'no-cache').type('html').send(PAGE);
      return;
    }
    const name = req.path.startsWith('/ide/') ? req.path.slice('/ide/'.length) : undefined;
    if (name === 'init.js') {
      res.set('Cache-Control', 'no-cache').type('js').send(INIT_JS);
      return;
    }
    const asset = name !== undefined ? ASSETS[name] : undefined;
    if (!asset) return next();
    // The package versions are pinned in the lockfile; an hour keeps reloads cheap without
    // pinning a stale bundle across upgrades.
    res.sendFile(asset, { headers: { 'Cache-Control': 'public, max-age=3600' } }, (err) => {
      if (err) next(err);
    });
  });
}

/** A browser's navigation asks for text/html before JSON; GraphQL clients ask for JSON. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}
