import { Args, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { Loaders, RequestLoaders } from '../../../api/graphql/loaders';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { JsonObjectScalar } from '../../../api/graphql/scalars';
import { ApplicationAttachmentsService } from './application-attachments.service';
import { ApplicationProgressService } from './application-progress.service';
import { APPLICATION_CURSOR, ApplicationsService } from './applications.service';
import { ApplicationDto, ApplicationTimelineEntryDto } from './dto/application.dto';
import {
  ApplicationAttachmentInput,
  CreateApplicationInput,
  MyApplicationsArgs,
  SupplementAnswerInput,
} from './dto/application.graphql';

@ObjectType()
export class ApplicationConnection extends Connection(ApplicationDto, 'Application') {}

const CASE_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

@Resolver(() => ApplicationDto)
export class ApplicationsResolver {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly progress: ApplicationProgressService,
    private readonly attachments: ApplicationAttachmentsService,
  ) {}

  @Allow(Permission.SelfService)
  @Query(() => ApplicationConnection, { description: 'My applications, newest first.' })
  async myApplications(
    @Ctx() ctx: RequestContext,
    @Args() args: MyApplicationsArgs,
  ): Promise<ConnectionShape<ApplicationDto>> {
    const page = await this.applications.listMine(ctx, {
      limit: args.first,
      cursor: args.after ?? undefined,
      status: args.status,
    });
    return toConnection(page.items, {
      cursorOf: (a) => APPLICATION_CURSOR.encode([a.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.SelfService, ...CASE_STAFF)
  @Query(() => ApplicationDto, {
    description: 'One application: its applicant, or staff of its case (masked, audited).',
  })
  application(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('unmask', {
      type: () => [String],
      nullable: true,
      description: 'staff: personal form fields to show in clear (needs personal-data:unmask and a reason)',
    })
    unmask?: Array<string | null> | null,
    @Args('reason', { type: () => String, nullable: true, description: 'required with unmask; audited' })
    reason?: string | null,
  ): Promise<ApplicationDto> {
    return this.applications.get(ctx, id, { fields: unmask, reason });
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: CreateApplicationInput }>({
    twin: 'POST /v1/applications',
    status: 201,
    body: (args) => createBody(args.input),
  })
  @Mutation(() => ApplicationDto, {
    description:
      'Starts a draft for a published service. A retry with the same idempotencyKey returns the first answer.',
  })
  createApplication(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateApplicationInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.applications.create(ctx, createBody(input));
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description: "Replaces a draft's form data (version: the one last read).",
  })
  updateApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('formData', { type: () => JsonObjectScalar }) formData: Record<string, unknown>,
    @Args('version', { type: () => Int, nullable: true }) version?: number,
  ): Promise<ApplicationDto> {
    return this.applications.update(ctx, id, version ?? undefined, { formData });
  }

  @Allow(Permission.SelfService)
  @Mutation(() => Boolean, { description: 'Discards a draft.' })
  async discardApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int, nullable: true }) version?: number,
  ): Promise<boolean> {
    await this.applications.discard(ctx, id, version ?? undefined);
    return true;
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: ApplicationAttachmentInput }>({
    twin: 'POST /v1/applications/:id/attachments',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => ApplicationDto, {
    description:
      'Attaches an uploaded file (POST /v1/files) as a material. A retry with the same idempotencyKey returns the first answer.',
  })
  attachApplicationFile(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: ApplicationAttachmentInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.attachments.attach(ctx, id, input);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description: 'Removes an attachment (drafts, or files added while answering a supplement).',
  })
  detachApplicationFile(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('attachmentId', { type: () => ID }) attachmentId: string,
  ): Promise<ApplicationDto> {
    return this.attachments.detach(ctx, id, attachmentId);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation({ twin: 'POST /v1/applications/:id/submit', status: 200 })
  @Mutation(() => ApplicationDto, {
    description: 'Submits a draft. A retry with the same idempotencyKey returns the first answer.',
  })
  submitApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.applications.submit(ctx, id);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: SupplementAnswerInput }>({
    twin: 'POST /v1/applications/:id/supplement',
    status: 200,
    body: (args) => supplementBody(args.input),
  })
  @Mutation(() => ApplicationDto, {
    description:
      'The one answer to a supplement notice (补正). A retry with the same idempotencyKey returns the first answer.',
  })
  answerSupplement(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SupplementAnswerInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.progress.answerSupplement(ctx, id, supplementBody(input));
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ reason?: string | null }>({
    twin: 'POST /v1/applications/:id/withdraw',
    status: 200,
    body: (args) => ({ reason: args.reason ?? undefined }),
  })
  @Mutation(() => ApplicationDto, {
    description:
      'Withdraws the application before a decision (撤回). A retry with the same idempotencyKey returns the first answer.',
  })
  withdrawApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.progress.withdraw(ctx, id, { reason: reason ?? undefined });
  }

  @Allow(Permission.SelfService, ...CASE_STAFF)
  @ResolveField('timeline', () => [ApplicationTimelineEntryDto], { description: 'the status timeline' })
  timeline(
    @Ctx() ctx: RequestContext,
    @Parent() app: ApplicationDto,
    @RequestLoaders() loaders: Loaders,
  ): Promise<ApplicationTimelineEntryDto[]> {
    // Batched: a page of applications with their timelines reads them in a fixed number of statements.
    return loaders
      .get('application.timeline', (ids: readonly string[]) => this.progress.timelines(ctx, ids))
      .load(app.id);
  }
}

/** The REST body (POST /v1/applications) of a createApplication input: the service call and the key's fingerprint. */
function createBody(input: CreateApplicationInput) {
  return {
    serviceId: input.serviceId,
    formData: input.formData ?? undefined,
    businessAccountId: input.businessAccountId,
  };
}

/** The REST body (POST /v1/applications/{id}/supplement) of an answerSupplement input. */
function supplementBody(input: SupplementAnswerInput) {
  return { formData: input.formData ?? undefined, attachments: input.attachments };
}
