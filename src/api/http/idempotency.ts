import { SetMetadata } from '@nestjs/common';

export const IDEMPOTENT_KEY = 'onewindow:idempotent';

/**
 * Marks a creating POST as taking an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header):
 * a retry with the same key and body replays the stored response.
 */
export const Idempotent = (options: { required?: boolean } = {}) => SetMetadata(IDEMPOTENT_KEY, options);
