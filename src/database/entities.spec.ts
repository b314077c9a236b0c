import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ENTITY_FILE_SUFFIX, ENTITY_GLOBS } from './entities';
import { SnakeNamingStrategy } from './naming.strategy';

// Entities are discovered by file name (no hand list): prove the pattern finds every @Entity class
// under src/, so an entity in a file named otherwise cannot silently miss its table.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('entity discovery', () => {
  const src = join(__dirname, '..');
  const declared = sourceFiles(src)
    .filter((f) => !f.endsWith('.spec.ts'))
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => /@Entity\(/.test(text));

  it('every file declaring an @Entity follows the *.entity.ts naming the glob relies on', () => {
    const misnamed = declared.filter(({ file }) => !file.endsWith(`${ENTITY_FILE_SUFFIX}.ts`));
    expect(misnamed.map((d) => d.file)).toEqual([]);
  });

  it('the data source built from the glob knows every declared entity class', async () => {
    const names = declared.flatMap(({ text }) =>
      [...text.matchAll(/@Entity\([^)]*\)\s*(?:@[^\n]*\n\s*)*export class (\w+)/g)].map((m) => m[1]),
    );
    expect(names.length).toBeGreaterThanOrEqual(declared.length);
    const ds = new DataSource({
      type: 'postgres',
      entities: ENTITY_GLOBS,
      namingStrategy: new SnakeNamingStrategy(),
    });
    // Builds the metadata without connecting (the protected step initialize() runs first).
    await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    const found = ds.entityMetadatas.map((m) => m.name);
    expect(found).toEqual(expect.arrayContaining(names));
    expect(found.length).toBe(names.length);
  });
});
