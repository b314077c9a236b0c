import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { TokenPairDto } from '../../auth/dto/auth.dto';

/** RFC 6749 VSCHAR (printable ASCII) and the narrower NQSCHAR set error codes use. */
const VSCHAR = /^[\x20-\x7E]+$/;
const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
/** our state values and one-time codes: 32 random bytes, base64url */
const STATE = /^[A-Za-z0-9_-]{43}$/;

export class OidcAuthorizeQueryDto {
  /**
   * where the portal wants to land after the sign-in; must be on one of the allowlisted portal
   * origins (CORS_ORIGINS). It is not redirected to: the callback (or the code exchange) echoes it.
   */
  @ApiPropertyOptional({ format: 'uri', maxLength: 2048, example: 'https://portal.example.gov/after-login' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  return_to?: string;
}

/** What the provider appends to the redirect URI: a code, or an error (RFC 6749 §4.1.2), plus `iss` (RFC 9207). */
export class OidcCallbackQueryDto {
  @ApiProperty({ minLength: 43, maxLength: 43, pattern: STATE.source })
  @IsString()
  @Matches(STATE)
  state: string;

  @ApiPropertyOptional({ maxLength: 2048, pattern: VSCHAR.source })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  @Matches(VSCHAR)
  code?: string;

  /** the provider's issuer identifier (RFC 9207), checked against OIDC_ISSUER */
  @ApiPropertyOptional({ maxLength: 2048, pattern: VSCHAR.source })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  @Matches(VSCHAR)
  iss?: string;

  /** the provider refused or the user cancelled, e.g. access_denied */
  @ApiPropertyOptional({ maxLength: 128, pattern: ERROR_CODE.source })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  @Matches(ERROR_CODE)
  error?: string;

  @ApiPropertyOptional({ maxLength: 1024, pattern: VSCHAR.source })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @Matches(VSCHAR)
  error_description?: string;

  @ApiPropertyOptional({ maxLength: 2048, pattern: VSCHAR.source })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(VSCHAR)
  error_uri?: string;

  /** OIDC Session Management; accepted and ignored */
  @ApiPropertyOptional({ maxLength: 512, pattern: VSCHAR.source })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(VSCHAR)
  session_state?: string;
}

/** Our token pair for the account the external identity belongs to. */
export class OidcLoginDto extends TokenPairDto {
  /** `existing`: an account already linked, or found by a verified identifier and linked now; `created`: a new citizen account */
  @ApiProperty({ enum: ['existing', 'created'] })
  linked: 'existing' | 'created';

  /** the return_to given at /authorize, for the portal to navigate to; null when none was given */
  @ApiProperty({ type: 'string', format: 'uri', maxLength: 2048, nullable: true })
  returnTo: string | null;
}

/** The one-time code the callback put in the frontend redirect (OIDC_FRONTEND_REDIRECT_URI). */
export class OidcExchangeDto {
  @ApiProperty({ minLength: 43, maxLength: 43, pattern: STATE.source })
  @IsString()
  @Matches(STATE)
  code: string;
}

/** One public key of ours (RFC 7517 JWK): public members only, with kid, alg and use. */
export class OidcJwkDto {
  @ApiProperty({ enum: ['RSA', 'EC', 'OKP'] })
  kty: string;

  @ApiProperty({ maxLength: 128 })
  kid: string;

  @ApiProperty({ enum: ['RS256', 'ES256', 'ES384', 'Ed25519'] })
  alg: string;

  @ApiProperty({ enum: ['sig'] })
  use: string;

  @ApiPropertyOptional({ description: 'RSA modulus', maxLength: 2048 })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA exponent', maxLength: 16 })
  e?: string;

  @ApiPropertyOptional({ description: 'EC or OKP curve', enum: ['P-256', 'P-384', 'Ed25519'] })
  crv?: string;

  @ApiPropertyOptional({ description: 'EC or OKP public point x', maxLength: 128 })
  x?: string;

  @ApiPropertyOptional({ description: 'EC public point y', maxLength: 128 })
  y?: string;
}

/** Our JWK Set for private_key_jwt client authentication (RFC 7517 §5). */
export class OidcJwksDto {
  @ApiProperty({ type: [OidcJwkDto], maxItems: 1 })
  keys: OidcJwkDto[];
}
