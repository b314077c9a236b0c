import { Permission } from '../auth/permission';
import { RequestContext } from './request-context';

describe('RequestContext grants', () => {
  const withGrants = (grants: Array<[string, Set<string> | '*']>) => {
    const ctx = new RequestContext('req-1');
    ctx.actor = { kind: 'staff', id: 'a', grants: new Map(grants as Array<[Permission, Set<string> | '*']>) };
    return ctx;
  };

  it("lets '*' imply every permission except self-service", () => {
    const admin = withGrants([['*', '*']]);
    expect(admin.has(Permission.StaffManage)).toBe(true);
    expect(admin.scopeOf(Permission.AuditRead)).toBe('*');
    expect(admin.has(Permission.SelfService)).toBe(false);
    expect(admin.scopeOf(Permission.SelfService)).toBeNull();
    expect(RequestContext.system('test').has(Permission.SelfService)).toBe(false);
  });

  it('honours an explicit self-service grant and unit-scoped grants', () => {
    const citizen = withGrants([[Permission.SelfService, '*']]);
    expect(citizen.has(Permission.SelfService)).toBe(true);
    expect(citizen.has(Permission.StaffManage)).toBe(false);
    const clerk = withGrants([[Permission.CaseHandle, new Set(['u1'])]]);
    expect(clerk.scopeOf(Permission.CaseHandle)).toEqual(new Set(['u1']));
    expect(clerk.has(Permission.SelfService)).toBe(false);
  });
});
