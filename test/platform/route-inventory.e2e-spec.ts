import 'reflect-metadata';
import { Controller, Get, Post, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  Mutation,
  Query,
  ResolveField,
  Resolver,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_TYPE_METADATA,
} from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { Allow, ALLOW_KEY, Public, PUBLIC_KEY } from '../../src/api/auth/allow.decorator';
import { Permission } from '../../src/api/auth/permission';
import { permissionRegistry } from '../../src/api/auth/permission-registry';
import { startTestApp, TestApp } from '../support/test-app';

interface Handler {
  kind: 'rest' | 'graphql';
  /** e.g. `GET OrganisationsController.list` or `Query ApiInfoResolver.apiInfo` */
  name: string;
  access: 'public' | 'allow' | 'none';
}

const GRAPHQL_OPERATIONS = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Every REST route handler and GraphQL resolver method in the application, with the access rule
 * the AuthGuard will apply: the same handler-over-class lookup the guard uses. An @Allow() without
 * permissions (or with unknown ones) is reported as none: the guard would refuse every caller.
 */
function inventory(modules: ModulesContainer): Handler[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const out: Handler[] = [];
  const seen = new Set<unknown>();
  const access = (handler: object, cls: object): Handler['access'] => {
    const targets = [handler as () => void, cls as () => void];
    if (reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true) return 'public';
    const allowed = reflector.getAllAndOverride<string[] | undefined>(ALLOW_KEY, targets);
    // Known: built-in or declared by a module (permission-registry.ts).
    return allowed?.length && allowed.every((p) => permissionRegistry.has(p)) ? 'allow' : 'none';
  };
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new () => object) | null;
      if (!cls || seen.has(cls)) continue;
      seen.add(cls);
      const proto = cls.prototype as Record<string, object>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? '?';
        out.push({ kind: 'rest', name: `${method} ${cls.name}.${name}`, access: access(handler, cls) });
      }
    }
    for (const wrapper of module.providers.values()) {
      const cls = wrapper.metatype as (new () => object) | null;
      if (
        !cls ||
        typeof cls !== 'function' ||
        seen.has(cls) ||
        !Reflect.hasMetadata(RESOLVER_TYPE_METADATA, cls)
      )
        continue;
      seen.add(cls);
      const proto = cls.prototype as Record<string, object>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        const type = Reflect.getMetadata(RESOLVER_TYPE_METADATA, handler) as string | undefined;
        const field = Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, handler) === true;
        if (!field && !GRAPHQL_OPERATIONS.has(type ?? '')) continue;
        out.push({
          kind: 'graphql',
          name: `${field ? 'ResolveField' : type} ${cls.name}.${name}`,
          access: access(handler, cls),
        });
      }
    }
  }
  return out;
}

describe('route inventory: every route and resolver is @Allow or @Public (default deny)', () => {
  let t: TestApp;
  let handlers: Handler[];
  beforeAll(async () => {
    t = await startTestApp();
    handlers = inventory(t.app.get(ModulesContainer));
  });
  afterAll(() => t.close());

  it('finds the REST routes and GraphQL resolvers (so the check below is not vacuous)', () => {
    expect(handlers.filter((h) => h.kind === 'rest').length).toBeGreaterThan(5);
    expect(handlers.filter((h) => h.kind === 'graphql').length).toBeGreaterThan(0);
    expect(handlers.map((h) => h.name)).toEqual(
      expect.arrayContaining(['GET HealthController.live', 'Query ApiInfoResolver.apiInfo']),
    );
  });

  it('leaves no handler without an access rule', () => {
    expect(handlers.filter((h) => h.access === 'none').map((h) => h.name)).toEqual([]);
  });

  it('keeps the health probes public (load balancers carry no token)', () => {
    const health = handlers.filter((h) => h.name.startsWith('GET HealthController.'));
    expect(health.length).toBeGreaterThanOrEqual(2);
    expect(health.every((h) => h.access === 'public')).toBe(true);
  });
});

// Fixtures proving the inventory catches what it must: bare handlers, empty or unknown grants.
@Controller('inventory-fixture')
class FixtureController {
  @Get('bare')
  bare(): string {
    return 'x';
  }

  @Public()
  @Get('open')
  open(): string {
    return 'x';
  }

  @Allow()
  @Post('empty-allow')
  emptyAllow(): string {
    return 'x';
  }

  helper(): string {
    return 'not a route';
  }
}

@Allow(Permission.AuditRead)
@Controller('inventory-fixture-class')
class FixtureClassController {
  @Get()
  inherited(): string {
    return 'x';
  }
}

@Resolver()
class FixtureResolver {
  @Query(() => String)
  bareQuery(): string {
    return 'x';
  }

  @Allow(Permission.AuditRead)
  @Mutation(() => String)
  allowedMutation(): string {
    return 'x';
  }

  @ResolveField(() => String)
  bareField(): string {
    return 'x';
  }

  @Allow('no:such-permission' as Permission)
  @Query(() => String)
  unknownPermission(): string {
    return 'x';
  }
}

describe('route inventory self-check', () => {
  it('reports bare handlers, empty @Allow() and unknown permissions, and accepts the rest', async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [FixtureController, FixtureClassController],
      providers: [FixtureResolver],
    }).compile();
    const found = inventory(moduleRef.get(ModulesContainer));
    expect(Object.fromEntries(found.map((h) => [h.name, h.access]))).toEqual({
      'GET FixtureController.bare': 'none',
      'GET FixtureController.open': 'public',
      'POST FixtureController.emptyAllow': 'none',
      'GET FixtureClassController.inherited': 'allow',
      'Query FixtureResolver.bareQuery': 'none',
      'Mutation FixtureResolver.allowedMutation': 'allow',
      'ResolveField FixtureResolver.bareField': 'none',
      'Query FixtureResolver.unknownPermission': 'none',
    });
    await moduleRef.close();
  });
});
