import { Permission } from './permission';
import {
  declarePermissions,
  MACHINE_SCOPES,
  permissionRegistry,
  registerPermissions,
} from './permission-registry';

describe('permission registry', () => {
  it('holds every built-in permission with a description, in enum order', () => {
    const builtIn = Object.values(Permission);
    expect(permissionRegistry.names().slice(0, builtIn.length)).toEqual(builtIn);
    for (const p of builtIn) expect(permissionRegistry.describe(p)).toBeTruthy();
  });

  it('keeps self-service permissions out of the machine scopes', () => {
    expect(MACHINE_SCOPES).not.toContain(Permission.SelfService);
    expect(MACHINE_SCOPES).not.toContain(Permission.StaffSelf);
    expect(MACHINE_SCOPES).toContain(Permission.DirectoryRead);
    expect(permissionRegistry.isMachineScope(Permission.StaffSelf)).toBe(false);
  });

  it('lists the second-factor permissions the role catalogue relied on', () => {
    expect(permissionRegistry.secondFactor().sort()).toEqual(
      [
        Permission.StaffManage,
        Permission.RoleAssign,
        Permission.ClientManage,
        Permission.ApiKeyManage,
        Permission.WorkflowManage,
        Permission.CatalogReview,
      ].sort(),
    );
  });

  it("adds a module's permissions, its role grants and machine scopes, and hands back typed names", () => {
    const P = declarePermissions({
      Read: { name: 'spec-thing:read', description: 'read spec things', roles: ['clerk'] },
      Mine: { name: 'spec-thing:own', description: 'own spec things', machineScope: false },
    });
    expect(P).toEqual({ Read: 'spec-thing:read', Mine: 'spec-thing:own' });
    expect(permissionRegistry.grantedBy('clerk')).toContain('spec-thing:read');
    expect(permissionRegistry.grantedBy('reviewer')).not.toContain('spec-thing:read');
    expect(MACHINE_SCOPES).toContain('spec-thing:read');
    expect(MACHINE_SCOPES).not.toContain('spec-thing:own');
    // Loading the same declaration again (a module imported twice) changes nothing.
    registerPermissions([{ name: 'spec-thing:read', description: 'read spec things', roles: ['clerk'] }]);
    expect(MACHINE_SCOPES.filter((s) => s === 'spec-thing:read')).toHaveLength(1);
  });

  it('refuses a malformed name and a name declared twice with another meaning', () => {
    expect(() => registerPermissions([{ name: 'Thing Read', description: 'x' }])).toThrow(/resource:action/);
    expect(() =>
      registerPermissions([{ name: Permission.AuditRead, description: 'something else' }]),
    ).toThrow(/declared twice/);
  });
});
