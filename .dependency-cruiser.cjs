// Layer rules for src/ (issue 12 §4): config → database → api → platform → fronts → app.
// A file may import its own layer or a lower one, never a higher one, and no import cycle is allowed.
// The fronts (public, internal, exchange) are one layer: they may use each other's exported services
// (an application drives a workflow case), but never in a cycle.
// Run with `npm run lint:layers`; CI runs it among the static checks.
const APP = '^src/(app\\.module|main|bootstrap)\\.ts$';
const CONFIG = '^src/config/';
const DATABASE = '^src/database/';
const API = '^src/api/';
const PLATFORM = '^src/modules/platform/';
const FRONTS = '^src/modules/(public|internal|exchange)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Import cycles hide layering mistakes and make module initialisation order fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'config-is-lowest',
      comment: 'Configuration is the lowest layer: it imports nothing else from src/.',
      severity: 'error',
      from: { path: CONFIG },
      to: { path: '^src/', pathNot: CONFIG },
    },
    {
      name: 'database-below-api',
      comment: 'The database layer knows configuration only, never transports or modules.',
      severity: 'error',
      from: { path: DATABASE },
      to: { path: [API, '^src/modules/', APP] },
    },
    {
      name: 'api-below-modules',
      comment: 'Transport plumbing is shared by every module and imports none: modules register into it.',
      severity: 'error',
      from: { path: API },
      to: { path: ['^src/modules/', APP] },
    },
    {
      name: 'platform-below-fronts',
      comment: 'Platform modules serve the fronts; a front registers into the platform (or listens to its events).',
      severity: 'error',
      from: { path: PLATFORM },
      to: { path: [FRONTS, APP] },
    },
    {
      name: 'nothing-imports-app',
      comment: 'app.module, main and bootstrap compose the application; nothing below imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: APP },
      to: { path: APP },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
