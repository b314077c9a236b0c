import { ApiProperty } from '@nestjs/swagger';

// GET /v1/licences/public-key: the key that signs licences, for offline verification.

/** An Ed25519 public key as an RFC 8037 JWK. */
export class LicenceJwkDto {
  @ApiProperty({ enum: ['OKP'] })
  kty: 'OKP';

  @ApiProperty({ enum: ['Ed25519'] })
  crv: 'Ed25519';

  /** base64url of the 32-byte public key */
  @ApiProperty({ maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$' })
  x: string;

  /** = keyId */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  kid: string;

  @ApiProperty({ enum: ['EdDSA'] })
  alg: 'EdDSA';

  @ApiProperty({ enum: ['sig'] })
  use: 'sig';
}

/** Everything needed to check a licence signature offline. */
export class LicencePublicKeyDto {
  /** RFC 7638 thumbprint; licences name it in keyId */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  keyId: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  jwk: LicenceJwkDto;

  /** the same key as SubjectPublicKeyInfo PEM */
  @ApiProperty({ maxLength: 200 })
  publicKeyPem: string;

  /** how the signed string is made from a licence */
  @ApiProperty({ enum: ['RFC 8785'] })
  canonicalization: 'RFC 8785';

  /** the `format` member of the payloads this key signs */
  @ApiProperty({ maxLength: 64, pattern: '^[a-z0-9.]{1,64}$' })
  payloadFormat: string;
}
