/**
 * The permission vocabulary as modules declare it. The built-in `Permission` enum (permission.ts)
 * is registered here too, so the guard, the role catalogue, the machine scopes and the docs read one
 * list; a new module declares its own permissions (and which built-in roles grant them) with
 * `declarePermissions`, without editing permission.ts or the role catalogue.
 */
declare const declared: unique symbol;
/** A permission a module declared with declarePermissions (a plain string at run time). */
export type DeclaredPermission = string & { readonly [declared]: true };

export interface PermissionSpec {
  /** the wire name, `resource:action` (what tokens carry as a scope and @Allow names) */
  name: string;
  /** one line for the docs and the role listing */
  description: string;
  /** built-in role names (role-catalogue.ts RoleName values) that grant it; admin holds every permission */
  roles?: readonly string[];
  /** false: only a person acting for themselves may hold it, never a machine client or API key */
  machineScope?: boolean;
  /** true: a role granting it needs a confirmed second factor by default */
  secondFactor?: boolean;
}

const specs = new Map<string, PermissionSpec>();

/**
 * Every machine scope, kept as one live array that registration appends to: DTO validators and
 * the OpenAPI enum hold a reference to it, so a permission declared by a module loaded later is
 * accepted (and documented) too.
 */
export const MACHINE_SCOPES: string[] = [];

/** Every permission name, built-in and declared, as one live array (the OpenAPI `Permission` enum). */
export const PERMISSION_NAMES: string[] = [];

/** Registers permissions; a name declared twice must carry the same spec (a module loaded twice). */
export function registerPermissions(list: readonly PermissionSpec[]): void {
  for (const spec of list) {
    if (!/^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/.test(spec.name))
      throw new Error(`permission "${spec.name}" must look like resource:action`);
    const known = specs.get(spec.name);
    if (known && known.description !== spec.description)
      throw new Error(`permission "${spec.name}" is declared twice with different descriptions`);
    if (known) continue;
    specs.set(spec.name, spec);
    PERMISSION_NAMES.push(spec.name);
    if (spec.machineScope !== false) MACHINE_SCOPES.push(spec.name);
  }
}

/**
 * A module's permissions, keyed by the names its code uses: `const P = declarePermissions({ Read:
 * { name: 'thing:read', description: '…', roles: ['clerk'] } })`, then `@Allow(P.Read)`.
 */
export function declarePermissions<K extends string>(
  list: Record<K, PermissionSpec>,
): Record<K, DeclaredPermission> {
  registerPermissions(Object.values<PermissionSpec>(list));
  return Object.fromEntries(Object.entries<PermissionSpec>(list).map(([k, s]) => [k, s.name])) as Record<
    K,
    DeclaredPermission
  >;
}

export const permissionRegistry = {
  /** every declared permission name, in registration order */
  names(): string[] {
    return [...specs.keys()];
  },
  has(name: string): boolean {
    return specs.has(name);
  },
  describe(name: string): string | undefined {
    return specs.get(name)?.description;
  },
  /** the permissions modules declared as granted by this built-in role */
  grantedBy(role: string): string[] {
    return [...specs.values()].filter((s) => s.roles?.includes(role)).map((s) => s.name);
  },
  /** permissions declared as needing a second factor */
  secondFactor(): string[] {
    return [...specs.values()].filter((s) => s.secondFactor).map((s) => s.name);
  },
  isMachineScope(name: string): boolean {
    return specs.has(name) && specs.get(name)!.machineScope !== false;
  },
};
