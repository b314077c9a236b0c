import type { Actor } from '../context/request-context';

export interface Credentials {
  authorization?: string;
  apiKey?: string;
  /** SHA-256 thumbprint of a TLS client certificate, when a proxy forwards it */
  certThumbprint?: string;
}

/** Implemented by the identity module: turns credentials into an Actor or throws INVALID_TOKEN. */
export interface PrincipalResolver {
  resolve(credentials: Credentials): Promise<Actor>;
}

export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');
