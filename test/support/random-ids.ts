import { randomInt } from 'node:crypto';
import { uniformCodeCheckChar } from '../../src/modules/platform/identity/personal-data/national-id';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid unified social credit code (GB 32100 check character) that no other test holds. */
export function randomUscc(prefix = '91110000'): string {
  let body = prefix;
  while (body.length < 17) body += USCC_CHARSET[randomInt(0, USCC_CHARSET.length)];
  return body + uniformCodeCheckChar(body);
}
