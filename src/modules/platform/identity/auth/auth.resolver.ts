import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Allow, Public } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { IdempotentMutation } from '../../../../api/graphql/idempotent-mutation';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
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

/**
 * GraphQL twin of AuthController: the same service calls, so the same throttling, lockout, token
 * rotation and reuse detection. Mutations answered 204 on REST return true here. register takes
 * its REST twin's Idempotency-Key as the idempotencyKey argument (anonymous callers' keys are
 * scoped by address, as on REST); its answer does not reveal whether the contact existed.
 */
@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @IdempotentMutation<{ input: RegisterDto }>({
    twin: 'POST /v1/auth/register',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => RegistrationAcceptedDto, {
    description:
      'Registers a citizen or business account with a phone number or e-mail; a 6-digit code is sent. A retry with the same idempotencyKey returns the first answer.',
  })
  register(
    @Ctx() ctx: RequestContext,
    @Args('input') input: RegisterDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<RegistrationAcceptedDto> {
    return this.auth.register(ctx, input);
  }

  @Public()
  @Mutation(() => Boolean, { description: 'Activates the account with the code sent at registration.' })
  verifyContact(@Ctx() ctx: RequestContext, @Args('input') input: VerifyContactDto): Promise<boolean> {
    return this.auth.verify(ctx, input).then(() => true);
  }

  @Public()
  @Mutation(() => TokenPairDto, {
    description: 'Signs in with phone, e-mail or username and password (and TOTP where enrolled).',
  })
  login(@Ctx() ctx: RequestContext, @Args('input') input: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(ctx, input);
  }

  @Public()
  @Mutation(() => TokenPairDto, {
    description: 'Trades a refresh token for a new pair; a refresh token used twice ends its whole session.',
  })
  refresh(@Ctx() ctx: RequestContext, @Args('input') input: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(ctx, input);
  }

  @Allow(Permission.SelfService, Permission.StaffSelf)
  @Mutation(() => Boolean, {
    description: 'Ends the current session: its refresh and access tokens stop working.',
  })
  logout(@Ctx() ctx: RequestContext): Promise<boolean> {
    return this.auth.logout(ctx).then(() => true);
  }

  @Public()
  @Mutation(() => PasswordResetAcceptedDto, {
    description: 'Sends a reset code if the contact belongs to an account; answers accepted either way.',
  })
  requestPasswordReset(
    @Ctx() ctx: RequestContext,
    @Args('input') input: PasswordResetRequestDto,
  ): Promise<PasswordResetAcceptedDto> {
    return this.auth.requestPasswordReset(ctx, input);
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'Sets a new password with the reset code; every session of the account ends.',
  })
  confirmPasswordReset(
    @Ctx() ctx: RequestContext,
    @Args('input') input: PasswordResetConfirmDto,
  ): Promise<boolean> {
    return this.auth.confirmPasswordReset(ctx, input).then(() => true);
  }
}
