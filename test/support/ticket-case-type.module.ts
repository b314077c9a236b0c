import {
  Body,
  Controller,
  Get,
  HttpCode,
  INestApplication,
  Injectable,
  Module,
  OnModuleInit,
  Param,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { Allow } from '../../src/api/auth/allow.decorator';
import { Permission } from '../../src/api/auth/permission';
import { Ctx } from '../../src/api/context/ctx.decorator';
import type { RequestContext } from '../../src/api/context/request-context';
import { notFound } from '../../src/api/errors/domain-error';
import { afterInit, configureHttp } from '../../src/api/http/configure-http';
import { UuidParam } from '../../src/api/http/uuid-param';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';
import { uuidv7 } from '../../src/database/uuid';
import { CaseTypeRegistry, type CaseSubject } from '../../src/modules/internal/workflow/case-type';
import type { CaseTransition } from '../../src/modules/internal/workflow/engine-types';
import { WorkflowEngine } from '../../src/modules/internal/workflow/workflow-engine.service';
import { WorkflowModule } from '../../src/modules/internal/workflow/workflow.module';
import type { TestApp } from './test-app';

/**
 * A test-only second case type, `test-ticket`, that runs on the workflow engine with none of the
 * catalogue's code: its subjects are "topics" kept in memory (which unit handles them, in which
 * region), a ticket is opened through its own controller, and every transition is written on the
 * ticket (what a complaints module would do with its own table).
 */
export const TICKET_CASE_TYPE = 'test-ticket';

export interface Topic {
  organisationId: string;
  regionCode: string;
}

export interface Ticket {
  id: string;
  topic: string;
  text: string;
  requesterId: string;
  caseId: string | null;
  number: string;
  /** the effects the engine reported, in order */
  transitions: string[];
  /** the public answers (答复) given */
  answers: string[];
  satisfaction: string | null;
}

export class OpenTicketDto {
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/)
  topic: string;

  @IsString()
  @MinLength(1)
  @MaxLength(500)
  text: string;
}

@Injectable()
export class TicketCaseType implements OnModuleInit {
  readonly topics = new Map<string, Topic>();
  readonly tickets = new Map<string, Ticket>();

  constructor(
    private readonly registry: CaseTypeRegistry,
    private readonly engine: WorkflowEngine,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: TICKET_CASE_TYPE,
      title: { 'zh-CN': '测试工单', en: 'Test ticket' },
      subjectResource: 'topic',
      subject: (key) => Promise.resolve(this.subject(key)),
      onTransition: (_ctx, t) => Promise.resolve(this.transition(t)),
      historyTitle: (effect) => (effect === 'reply' ? { 'zh-CN': '已答复', en: 'Answered' } : null),
    });
  }

  private subject(key: string): CaseSubject | null {
    const topic = this.topics.get(key);
    if (!topic) return null;
    return { ...topic, limits: { promised: { amount: 15, unit: 'working_days' } }, held: topic };
  }

  private transition(t: CaseTransition): void {
    const ticket = this.tickets.get(t.caseFile.subjectId);
    if (!ticket) return;
    ticket.caseId = t.caseFile.id;
    ticket.transitions.push(t.effect);
    if (t.effect === 'reply' && t.event.reason) ticket.answers.push(t.event.reason);
    if (t.effect === 'callback') ticket.satisfaction = String(t.event.data.satisfaction);
  }

  /** Opens a ticket and its case in one transaction: a refused start leaves no ticket behind. */
  async open(ctx: RequestContext, dto: OpenTicketDto): Promise<Ticket> {
    if (!this.topics.has(dto.topic)) throw notFound('topic');
    const ticket: Ticket = {
      id: uuidv7(),
      topic: dto.topic,
      text: dto.text,
      requesterId: ctx.actor.id!,
      caseId: null,
      number: `TK${Date.now()}${Math.floor(Math.random() * 1000)}`,
      transitions: [],
      answers: [],
      satisfaction: null,
    };
    this.tickets.set(ticket.id, ticket);
    try {
      await this.engine.start(ctx, {
        caseType: TICKET_CASE_TYPE,
        subjectKey: dto.topic,
        subjectType: TICKET_CASE_TYPE,
        subjectId: ticket.id,
        number: ticket.number,
        applicantAccountId: ticket.requesterId,
        receivedAt: new Date(),
        data: { text: dto.text },
      });
    } catch (e) {
      this.tickets.delete(ticket.id);
      throw e;
    }
    return ticket;
  }

  get(ctx: RequestContext, id: string): Ticket {
    const ticket = this.tickets.get(id);
    if (!ticket || ticket.requesterId !== ctx.actor.id) throw notFound('ticket');
    return ticket;
  }
}

@Controller({ path: 'test-tickets', version: '1' })
export class TicketController {
  constructor(private readonly tickets: TicketCaseType) {}

  @Allow(Permission.SelfService)
  @Post()
  @HttpCode(201)
  open(@Ctx() ctx: RequestContext, @Body() dto: OpenTicketDto): Promise<Ticket> {
    return this.tickets.open(ctx, dto);
  }

  @Allow(Permission.SelfService)
  @Get(':id')
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Ticket {
    return this.tickets.get(ctx, id);
  }
}

@Module({
  imports: [WorkflowModule],
  controllers: [TicketController],
  providers: [TicketCaseType],
})
export class TicketCaseTypeModule {}

/**
 * The real app with extra modules beside AppModule (as createApp builds it, without the production
 * start checks): how a module that registers a case type is added.
 */
export async function startTestAppWith(modules: Array<new () => unknown>): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test' });
  const root = AppModule.forRoot(
    config,
    process.env.OW_TEST_DATABASE_URL!,
    Number(process.env.OW_TEST_POOL_SIZE ?? 1),
  );
  @Module({ imports: [root, ...modules] })
  class TestRootModule {}
  const app: INestApplication = await NestFactory.create(TestRootModule, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  await app.init();
  afterInit(app);
  return { app, http: request(app.getHttpServer()), db: app.get(Db), config, close: () => app.close() };
}
