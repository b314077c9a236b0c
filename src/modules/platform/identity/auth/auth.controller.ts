import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, Public } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Idempotent } from '../../../../api/http/idempotency';
import { AuthService } from './auth.service';
import {
  LoginDto,
  PasswordResetAcceptedDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  RegisterDto,
  RegistrationAcceptedDto,
  TokenPairDto,
  VerifyContactDto,
} from './dto/auth.dto';

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Registers a citizen or business account with a phone number or e-mail; a 6-digit code is sent to it. */
  @Public()
  @Post('register')
  @Idempotent()
  @ApiCreatedResponse({ type: RegistrationAcceptedDto })
  register(@Ctx() ctx: RequestContext, @Body() dto: RegisterDto): Promise<RegistrationAcceptedDto> {
    return this.auth.register(ctx, dto);
  }

  /** Activates the account with the code sent at registration (10 minutes, 5 tries). */
  @Public()
  @Post('verify')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The account is active; sign in.' })
  verify(@Ctx() ctx: RequestContext, @Body() dto: VerifyContactDto): Promise<void> {
    return this.auth.verify(ctx, dto);
  }

  /** Signs in with phone, e-mail or username and password (and TOTP where enrolled). */
  @Public()
  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(ctx, dto);
  }

  /** Trades a refresh token for a new pair; a refresh token used twice ends its whole session. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Ctx() ctx: RequestContext, @Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(ctx, dto);
  }

  /** Ends the current session: its refresh token and every access token issued in it stop working. */
  @Allow(Permission.SelfService, Permission.StaffSelf)
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  logout(@Ctx() ctx: RequestContext): Promise<void> {
    return this.auth.logout(ctx);
  }

  /** Sends a reset code if the contact belongs to an account; answers 202 either way. */
  @Public()
  @Post('password-reset/request')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: PasswordResetAcceptedDto })
  requestPasswordReset(
    @Ctx() ctx: RequestContext,
    @Body() dto: PasswordResetRequestDto,
  ): Promise<PasswordResetAcceptedDto> {
    return this.auth.requestPasswordReset(ctx, dto);
  }

  /** Sets a new password with the reset code; every session of the account ends. */
  @Public()
  @Post('password-reset/confirm')
  @HttpCode(204)
  @ApiNoContentResponse()
  confirmPasswordReset(@Ctx() ctx: RequestContext, @Body() dto: PasswordResetConfirmDto): Promise<void> {
    return this.auth.confirmPasswordReset(ctx, dto);
  }
}
