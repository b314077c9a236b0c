import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { TokenPairDto } from '../../auth/dto/auth.dto';

/** RFC 6749 VSCHAR (printable ASCII) and the narrower NQSCHAR set error codes use. */
const VSCHAR = /^[\x20-\x7E]+$/;
const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
/** our state values: 32 random bytes, base64url */
const STATE = /^[A-Za-z0-9_-]{43}$/;

export class OidcAuthorizeQueryDto {
  /**
   * where the portal wants to land after the sign-in; must be on one of the allowlisted portal
   * origins (CORS_ORIGINS). It is not redirected to: the callback answers JSON and echoes it.
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
