// Every entity, listed once for the app, the migration scripts and the tests.
export const ENTITIES: Function[] = [];
