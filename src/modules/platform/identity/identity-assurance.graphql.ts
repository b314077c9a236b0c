import { registerEnumType } from '@nestjs/graphql';
import { IdentityAssurance } from './identity-assurance';

// Registered once, here: the account (Me) and the catalogue (a service's requirement) both use it.
registerEnumType(IdentityAssurance, {
  name: 'IdentityAssurance',
  description: 'none: self-declared identity; real_name: verified through the national eID or at a counter',
});

export { IdentityAssurance };
