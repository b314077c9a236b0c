import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionArgs, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import type { Page } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { ConsultationPermission } from './consultation-declarations';
import { CONSULTATION_STAFF } from './consultation.policy';
import { CONSULTATION_TEMPLATE_CURSOR, ConsultationContentService } from './consultation-content.service';
import { CONSULTATION_CURSOR, ConsultationsService, MY_CONSULTATION_CURSOR } from './consultations.service';
import {
  AnswerConsultationDto,
  AskConsultationDto,
  ConsultationDto,
  ConsultationFaqDto,
  ConsultationSummaryDto,
  ConsultationTemplateDto,
  CreateTemplateDto,
  FollowUpDto,
  PublishFaqDto,
  StaffConsultationArgs,
  TemplateArgs,
  TemplateContentDto,
  TransferConsultationDto,
} from './dto/consultation.dto';

@ObjectType()
export class ConsultationConnection extends Connection(ConsultationSummaryDto, 'ConsultationSummary') {}

@ObjectType()
export class ConsultationTemplateConnection extends Connection(
  ConsultationTemplateDto,
  'ConsultationTemplate',
) {}

const KEY = {
  type: () => String,
  nullable: true,
  description: 'as the Idempotency-Key header of the REST twin',
};
const ID_ARG = { type: () => ID };
const TEMPLATES = ConsultationPermission.ManageTemplates;
const FAQ = ConsultationPermission.PublishFaq;

const connection = <T extends { id: string }>(
  page: Page<T>,
  codec: { encode(v: [string]): string },
): ConnectionShape<T> =>
  toConnection(page.items, {
    cursorOf: (x) => codec.encode([x.id]),
    hasNextPage: page.nextCursor !== null,
    totalCount: page.count,
  });

/** GraphQL twins of /v1/consultations, /v1/me/consultations and /v1/consultation-templates. */
@Resolver()
export class ConsultationsResolver {
  constructor(
    private readonly service: ConsultationsService,
    private readonly content: ConsultationContentService,
  ) {}

  @Allow(Permission.SelfService)
  @Query(() => ConsultationConnection, { description: 'My consultations, newest first.' })
  async myConsultations(
    @Ctx() ctx: RequestContext,
    @Args() a: ConnectionArgs,
  ): Promise<ConnectionShape<ConsultationSummaryDto>> {
    return connection(
      await this.service.listMine(ctx, { limit: a.first, cursor: a.after ?? undefined }),
      MY_CONSULTATION_CURSOR,
    );
  }

  @Allow(...CONSULTATION_STAFF)
  @Query(() => ConsultationConnection, { description: 'Staff: the consultations their units answer.' })
  async consultations(
    @Ctx() ctx: RequestContext,
    @Args() a: StaffConsultationArgs,
  ): Promise<ConnectionShape<ConsultationSummaryDto>> {
    const page = await this.service.listForStaff(ctx, {
      limit: a.first,
      cursor: a.after ?? undefined,
      status: a.status,
    });
    return connection(page, CONSULTATION_CURSOR);
  }

  @Allow(Permission.SelfService, ...CONSULTATION_STAFF)
  @Query(() => ConsultationDto, {
    description: 'One consultation and its thread (asker, or answering staff: audited).',
  })
  consultation(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
  ): Promise<ConsultationDto> {
    return this.service.get(ctx, id);
  }

  @Allow(TEMPLATES, ...CONSULTATION_STAFF)
  @Query(() => ConsultationTemplateConnection, { description: "A unit's answer templates." })
  async consultationTemplates(
    @Ctx() ctx: RequestContext,
    @Args() a: TemplateArgs,
  ): Promise<ConnectionShape<ConsultationTemplateDto>> {
    const page = await this.content.listTemplates(ctx, {
      limit: a.first,
      cursor: a.after ?? undefined,
      organisationId: a.organisationId,
    });
    return connection(page, CONSULTATION_TEMPLATE_CURSOR);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: AskConsultationDto }>({
    twin: 'POST /v1/consultations',
    status: 201,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationDto, {
    description: 'Asks a question of a service or a unit (REST: POST /v1/consultations).',
  })
  askConsultation(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => AskConsultationDto }) input: AskConsultationDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationDto> {
    return this.service.ask(ctx, input);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: FollowUpDto }>({
    twin: 'POST /v1/consultations/:id/follow-ups',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationDto, { description: 'A follow-up question in the same thread.' })
  addConsultationFollowUp(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('input', { type: () => FollowUpDto }) input: FollowUpDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationDto> {
    return this.service.followUp(ctx, id, input);
  }

  @Allow(Permission.CaseHandle)
  @IdempotentMutation<{ input: AnswerConsultationDto }>({
    twin: 'POST /v1/consultations/:id/answer',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationDto, { description: 'Answers the waiting question (答复).' })
  answerConsultation(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('input', { type: () => AnswerConsultationDto }) input: AnswerConsultationDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationDto> {
    return this.service.answer(ctx, id, input);
  }

  @Allow(Permission.CaseHandle)
  @IdempotentMutation<{ input: TransferConsultationDto }>({
    twin: 'POST /v1/consultations/:id/transfer',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationDto, {
    description: 'Passes the waiting question to the competent unit (转办).',
  })
  transferConsultation(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('input', { type: () => TransferConsultationDto }) input: TransferConsultationDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationDto> {
    return this.service.transfer(ctx, id, input);
  }

  @Allow(FAQ)
  @IdempotentMutation<{ input: PublishFaqDto }>({
    twin: 'POST /v1/consultations/:id/faq',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationFaqDto, {
    description: "Publishes (or rewords) the consultation as an FAQ of its service's guide.",
  })
  publishConsultationFaq(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('input', { type: () => PublishFaqDto }) input: PublishFaqDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationFaqDto> {
    return this.content.publishFaq(ctx, id, input);
  }

  @Allow(FAQ)
  @Mutation(() => Boolean, { description: "Takes the consultation's FAQ off the guide (REST: DELETE)." })
  async withdrawConsultationFaq(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
  ): Promise<boolean> {
    await this.content.withdrawFaq(ctx, id);
    return true;
  }

  @Allow(TEMPLATES)
  @IdempotentMutation<{ input: CreateTemplateDto }>({
    twin: 'POST /v1/consultation-templates',
    status: 201,
    body: (a) => a.input,
  })
  @Mutation(() => ConsultationTemplateDto, { description: 'Adds an answer template to a unit.' })
  createConsultationTemplate(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateTemplateDto }) input: CreateTemplateDto,
    @Args('idempotencyKey', KEY) _key?: string | null,
  ): Promise<ConsultationTemplateDto> {
    return this.content.createTemplate(ctx, input);
  }

  @Allow(TEMPLATES)
  @Mutation(() => ConsultationTemplateDto, {
    description: 'Replaces a template (REST: PUT, If-Match required).',
  })
  updateConsultationTemplate(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('expectedVersion', { type: () => Int, description: 'the version last read (If-Match)' })
    expectedVersion: number,
    @Args('input', { type: () => TemplateContentDto }) input: TemplateContentDto,
  ): Promise<ConsultationTemplateDto> {
    return this.content.updateTemplate(ctx, id, expectedVersion, input);
  }

  @Allow(TEMPLATES)
  @Mutation(() => Boolean, { description: 'Deletes a template (REST: DELETE).' })
  async deleteConsultationTemplate(
    @Ctx() ctx: RequestContext,
    @Args('id', ID_ARG, UuidParam) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
  ): Promise<boolean> {
    await this.content.deleteTemplate(ctx, id, expectedVersion ?? undefined);
    return true;
  }
}
