import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  type ExecutorInternals,
  TransformOperationExecutor,
} from 'class-transformer/cjs/TransformOperationExecutor';

/**
 * class-transformer 0.5.1 (its last release) ends `getKeys`, which lists the keys of every object
 * the validation pipe's plainToInstance walks, with `keys.filter((k, i, all) => all.indexOf(k) === i)`:
 * quadratic in the keys of one object. A 60,000-key body (769 KB, under BODY_LIMIT_KB) held the
 * event loop for 5 s on any JSON route, before any validation or handler.
 *
 * The duplicates it removes can only come from names that @Expose adds to the object's own keys.
 * Where nothing can add or remove a name (no @Expose/@Exclude on the class, or no class at all
 * for free JSON such as form data, and none of the options that change the key list) the answer
 * is exactly Object.keys(object), which is already unique: that case is answered in linear time.
 * Every other case still goes to the original (no class of ours uses those decorators, and the
 * body caps in body-shape.ts bound its cost anyway). Installed once, by createValidationPipe().
 */
let installed = false;

export function installLinearKeys(): void {
  if (installed) return;
  installed = true;
  const proto = TransformOperationExecutor.prototype;
  const { getKeys } = proto; // eslint-disable-line @typescript-eslint/unbound-method -- called with its `this` below
  proto.getKeys = function (this: ExecutorInternals, target, object, isMap) {
    if (!isMap && !(object instanceof Map) && keysAreOwnKeys(this, target)) return Object.keys(object);
    return getKeys.call(this, target, object, isMap);
  };
}

/** True when getKeys would answer the object's own keys unchanged. */
function keysAreOwnKeys(executor: ExecutorInternals, target: unknown): boolean {
  const o = executor.options;
  if ((o.strategy ?? 'exposeAll') !== 'exposeAll') return false;
  if (o.excludeExtraneousValues || o.ignoreDecorators || o.excludePrefixes?.length) return false;
  if (!target) return true;
  const cls = target as Parameters<typeof defaultMetadataStorage.getStrategy>[0];
  return (
    defaultMetadataStorage.getStrategy(cls) === 'none' &&
    defaultMetadataStorage.getExposedMetadatas(cls).length === 0 &&
    defaultMetadataStorage.getExcludedMetadatas(cls).length === 0
  );
}
