/**
 * class-transformer's compiled internals, which ship without declarations at these paths (its
 * types/ folder describes them but marks getKeys private). Only what linear-keys.ts touches.
 */
declare module 'class-transformer/cjs/TransformOperationExecutor' {
  import type { ClassTransformOptions, TransformationType } from 'class-transformer';

  export interface ExecutorInternals {
    transformationType: TransformationType;
    options: ClassTransformOptions;
    getKeys(target: unknown, object: Record<string, unknown>, isMap: boolean): string[];
  }
  export const TransformOperationExecutor: { prototype: ExecutorInternals };
}

declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
