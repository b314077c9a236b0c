import { Body, Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IsString, MaxLength } from 'class-validator';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Allow } from '../../src/api/auth/allow.decorator';
import {
  declarePermissions,
  MACHINE_SCOPES,
  permissionRegistry,
} from '../../src/api/auth/permission-registry';
import { Ctx } from '../../src/api/context/ctx.decorator';
import { RequestContext } from '../../src/api/context/request-context';
import { DomainError } from '../../src/api/errors/domain-error';
import { declareErrorCodes } from '../../src/api/errors/error-registry';
import { Db } from '../../src/database/db';
import { uuidv7 } from '../../src/database/uuid';
import { demoSeeders, registerDemoSeeder } from '../../src/modules/platform/demo/demo-registry';
import { seedDemoData } from '../../src/modules/platform/demo/demo-seed';
import { InboxMessage } from '../../src/modules/platform/notifications/inbox-message.entity';
import { NotificationsModule } from '../../src/modules/platform/notifications/notifications.module';
import { NotificationsService } from '../../src/modules/platform/notifications/notifications.service';
import { declareTemplates, renderTemplate } from '../../src/modules/platform/notifications/templates';
import { isMachineScope, RoleName, ROLES } from '../../src/modules/platform/identity/staff/role-catalogue';
import { auth, ensureRegion, makeCitizen, makeStaff, makeUnit, signIn } from '../identity/staff-fixtures';
import { startTestAppWith } from '../support/ticket-case-type.module';
import type { TestApp } from '../support/test-app';

/*
 * A whole module defined in this file only — entity, permissions with their role grants, an error
 * code with its messages, a notification template and a demo seeder — added to the app's imports
 * beside AppModule and nothing else: the proof that adding a module edits app.module.ts (and adds a
 * migration: here the test creates the table itself) and no central list.
 */

@Entity('test_shelf_book')
class ShelfBook {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  title: string;
}

const ShelfPermission = declarePermissions({
  Read: {
    name: 'shelf:read',
    description: 'read the test bookshelf',
    roles: [RoleName.Clerk, RoleName.Reviewer],
  },
  Stock: { name: 'shelf:stock', description: 'put books on the test bookshelf', roles: [RoleName.Reviewer] },
});

const ShelfError = declareErrorCodes({
  Full: {
    code: 'SHELF_FULL',
    status: 409,
    'zh-CN': { title: '书架已满', detail: '书架最多放 {max} 本书。' },
    en: { title: 'The shelf is full', detail: 'The shelf holds at most {max} books.' },
  },
});

const ShelfTemplate = declareTemplates({
  Stocked: [
    'shelf.stocked',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '新书上架', body: '《{title}》已上架。' },
          en: { subject: 'New on the shelf', body: '"{title}" is on the shelf.' },
        },
      },
    },
  ],
});

const SHELF_CAPACITY = 2;
const DEMO_TITLE = '演示图书';

class StockBookDto {
  @IsString()
  @MaxLength(100)
  title: string;
}

@Injectable()
class ShelfService {
  constructor(
    private readonly db: Db,
    private readonly notifications: NotificationsService,
  ) {}

  list(): Promise<ShelfBook[]> {
    return this.db.repo(ShelfBook).find({ order: { title: 'ASC' } });
  }

  async stock(ctx: RequestContext, title: string): Promise<ShelfBook> {
    return this.db.transaction(async () => {
      if ((await this.db.repo(ShelfBook).count()) >= SHELF_CAPACITY)
        throw new DomainError(ShelfError.Full, { max: SHELF_CAPACITY });
      const book = await this.db.repo(ShelfBook).save({ id: uuidv7(), title });
      await this.notifications.notify(ctx, ctx.actor.id!, ShelfTemplate.Stocked, { title }, ['inapp']);
      return book;
    });
  }
}

@Controller({ path: 'test-shelf', version: '1' })
class ShelfController {
  constructor(private readonly shelf: ShelfService) {}

  @Get()
  @Allow(ShelfPermission.Read)
  list(): Promise<ShelfBook[]> {
    return this.shelf.list();
  }

  @Post()
  @Allow(ShelfPermission.Stock)
  stock(@Ctx() ctx: RequestContext, @Body() body: StockBookDto): Promise<ShelfBook> {
    return this.shelf.stock(ctx, body.title);
  }
}

registerDemoSeeder({
  name: 'test.shelf',
  order: 500,
  async seed({ app }) {
    const db = app.get(Db);
    if (!(await db.repo(ShelfBook).exists({ where: { title: DEMO_TITLE } })))
      await db.repo(ShelfBook).insert({ id: uuidv7(), title: DEMO_TITLE });
  },
});

@Module({
  imports: [TypeOrmModule.forFeature([ShelfBook]), NotificationsModule],
  controllers: [ShelfController],
  providers: [ShelfService],
})
class ShelfModule {}

describe('a module registers what it owns (no central list edited)', () => {
  let t: TestApp;
  let unit: string;
  let clerk: string;
  let reviewer: { id: string; token: string };
  let auditor: string;
  let citizen: string;

  beforeAll(async () => {
    t = await startTestAppWith([ShelfModule]);
    // What the module's migration would do.
    await t.db.query('DROP TABLE IF EXISTS test_shelf_book');
    await t.db.query('CREATE TABLE test_shelf_book (id uuid PRIMARY KEY, title varchar(100) NOT NULL)');
    await ensureRegion(t);
    unit = await makeUnit(t, '书架测试科');
    clerk = await signIn(t, await makeStaff(t, unit, [{ role: RoleName.Clerk, unit }]), 'staff');
    const r = await makeStaff(t, unit, [{ role: RoleName.Reviewer, unit }]);
    reviewer = { id: r.id, token: await signIn(t, r, 'staff') };
    auditor = await signIn(t, await makeStaff(t, unit, [{ role: RoleName.Auditor, unit }]), 'staff');
    citizen = await signIn(t, await makeCitizen(t), 'citizen');
  });

  afterAll(async () => {
    await t?.db.query('DROP TABLE IF EXISTS test_shelf_book');
    await t?.close();
  });

  it('its permissions join the registry, the built-in roles it names and the machine scopes', async () => {
    expect(permissionRegistry.describe('shelf:read')).toBe('read the test bookshelf');
    expect(ROLES[RoleName.Clerk].permissions).toContain('shelf:read');
    expect(ROLES[RoleName.Clerk].permissions).not.toContain('shelf:stock');
    expect(ROLES[RoleName.Reviewer].permissions).toEqual(
      expect.arrayContaining(['shelf:read', 'shelf:stock']),
    );
    expect(ROLES[RoleName.Admin].permissions).toEqual(expect.arrayContaining(['shelf:read', 'shelf:stock']));
    expect(ROLES[RoleName.Auditor].permissions).not.toContain('shelf:read');
    expect(MACHINE_SCOPES).toContain('shelf:read');
    expect(isMachineScope('shelf:stock')).toBe(true);
    // The role listing reads the same catalogue.
    const supervisor = await makeStaff(t, unit, [{ role: RoleName.Supervisor, unit }]);
    const roles = await t.http.get('/v1/roles').set(auth(await signIn(t, supervisor, 'staff')));
    expect(roles.status).toBe(200);
    const listed = (roles.body.items ?? roles.body) as Array<{ name: string; permissions: string[] }>;
    expect(listed.find((x) => x.name === (RoleName.Clerk as string))?.permissions).toContain('shelf:read');
  });

  it('guards its route by its permission: the granted roles pass, everyone else is refused', async () => {
    expect((await t.http.get('/v1/test-shelf')).status).toBe(401);
    for (const token of [auditor, citizen]) {
      const res = await t.http.get('/v1/test-shelf').set(auth(token));
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const ok = await t.http.get('/v1/test-shelf').set(auth(clerk));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([]);
    // The clerk may read but not stock.
    const refused = await t.http.post('/v1/test-shelf').set(auth(clerk)).send({ title: 'x' });
    expect(refused.status).toBe(403);
    expect(await t.db.repo(ShelfBook).count()).toBe(0);
  });

  it('its entity is auto-loaded from forFeature and usable; its template notifies', async () => {
    for (const title of ['书一', '书二']) {
      const res = await t.http.post('/v1/test-shelf').set(auth(reviewer.token)).send({ title });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), title });
    }
    expect((await t.db.repo(ShelfBook).find({ order: { title: 'ASC' } })).map((b) => b.title)).toEqual([
      '书一',
      '书二',
    ]);
    const inbox = await t.db
      .repo(InboxMessage)
      .find({ where: { accountId: reviewer.id, template: 'shelf.stocked' }, order: { createdAt: 'ASC' } });
    expect(inbox.map((m) => [m.title, m.body])).toEqual([
      ['新书上架', '《书一》已上架。'],
      ['新书上架', '《书二》已上架。'],
    ]);
    expect(renderTemplate(ShelfTemplate.Stocked, 'en', { title: 'Dune' })).toEqual({
      subject: 'New on the shelf',
      text: '"Dune" is on the shelf.',
    });
  });

  it('renders its error code as problem+json in both languages', async () => {
    const zh = await t.http.post('/v1/test-shelf').set(auth(reviewer.token)).send({ title: '书三' });
    expect(zh.status).toBe(409);
    expect(zh.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(zh.body).toMatchObject({
      type: 'https://onewindow.dev/problems/shelf-full',
      code: 'SHELF_FULL',
      status: 409,
      title: '书架已满',
      detail: '书架最多放 2 本书。',
    });
    const en = await t.http
      .post('/v1/test-shelf')
      .set(auth(reviewer.token))
      .set('Accept-Language', 'en')
      .send({ title: 'Book three' });
    expect(en.status).toBe(409);
    expect(en.body).toMatchObject({
      code: 'SHELF_FULL',
      title: 'The shelf is full',
      detail: 'The shelf holds at most 2 books.',
    });
    expect(await t.db.repo(ShelfBook).count()).toBe(2);
  });

  it('its demo seeder runs after the platform and catalogue seeds, once', async () => {
    const names = demoSeeders().map((s) => s.name);
    expect(names.indexOf('test.shelf')).toBeGreaterThan(names.indexOf('catalog.services'));
    await t.db.query('DELETE FROM test_shelf_book');
    await seedDemoData(t.app);
    await seedDemoData(t.app);
    expect(await t.db.repo(ShelfBook).find()).toEqual([{ id: expect.any(String), title: DEMO_TITLE }]);
  });
});
