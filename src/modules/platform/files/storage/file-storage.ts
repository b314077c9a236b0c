import type { Readable } from 'node:stream';

/**
 * Where the bytes of stored files live. Keys are random (never the file's name) and opaque to the
 * driver. put() receives bytes already checked (size, type, checksum) and their exact length.
 */
export interface FileStorage {
  readonly driver: 'local' | 's3';
  put(key: string, body: Readable | Buffer, size: number): Promise<void>;
  /**
   * Where uploads are spooled before they are checked; a driver that can move a spooled file into
   * place (same file system) takes it with putFile instead of copying it through put().
   */
  readonly spoolDir: string;
  putFile?(key: string, path: string, size: number): Promise<void>;
  /** The bytes; rejects when the key is unknown. */
  get(key: string): Promise<Readable>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');
