// Schema-level conventions of the published contract: OpenAPI 3.1 null types instead of
// `nullable`, and the documented default limits where a DTO declares none (see
// openapi-conventions.ts, which applies them to the whole document).

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Default maxLength of a string without one, by format (free text: DEFAULT_MAX_LENGTH). */
export const DEFAULT_MAX_LENGTH = 10_000;
const MAX_LENGTH_BY_FORMAT: Record<string, number> = {
  uuid: 36,
  date: 10,
  'date-time': 64,
  time: 32,
  email: 254,
  uri: 2048,
  'uri-reference': 2048,
  url: 2048,
  ipv4: 15,
  ipv6: 45,
};
/** Default maxItems of an array without one. */
export const DEFAULT_MAX_ITEMS = 1000;
/**
 * Free text: what every input is held to (src/api/errors/unusable-input.ts refuses NUL and lone
 * surrogates in any body or variable; JSON Schema can state the NUL part). Tighten both together.
 */
export const TEXT_PATTERN = '^[^\\u0000]*$';

/** OpenAPI 3.1 has no `nullable`: `{type: t, nullable: true}` becomes `{type: [t, 'null']}`. */
export function removeNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(removeNullable);
  if (!isNode(node)) return;
  for (const v of Object.values(node)) removeNullable(v);
  if (typeof node.nullable !== 'boolean') return;
  const nullable = node.nullable;
  delete node.nullable;
  if (!nullable) return;
  // New arrays, never push: a DTO decorator's `enum` is often the module's own constant (the
  // validator's @IsIn list), which must not gain a null because a nullable field documented it.
  if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...(node.enum as unknown[]), null];
  if (typeof node.type === 'string') node.type = [node.type, 'null'];
  else if (Array.isArray(node.type)) {
    if (!node.type.includes('null')) node.type = [...(node.type as unknown[]), 'null'];
  } else if ('$ref' in node || 'allOf' in node || 'oneOf' in node || 'anyOf' in node) {
    const { description, ...inner } = node;
    for (const k of Object.keys(node)) delete node[k];
    if (description !== undefined) node.description = description;
    node.anyOf = [inner, { type: 'null' }];
  }
}

/** Whether a schema's `type` is or includes `t` (3.1 type arrays). */
export const hasType = (node: Node, t: string): boolean =>
  node.type === t || (Array.isArray(node.type) && (node.type as unknown[]).includes(t));

/**
 * Writes the documented defaults where a schema has no limit (same selection as the OWASP
 * ruleset: every object whose `type` is or includes string / integer / array).
 * Returns the JSON paths it filled, so the contract script can list what still needs a DTO fix.
 */
export function fillLimits(node: unknown, path = '$', filled: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((v, i) => fillLimits(v, `${path}[${i}]`, filled));
    return filled;
  }
  if (!isNode(node)) return filled;
  if (hasType(node, 'string') && !('enum' in node) && !('const' in node)) {
    if (node.maxLength === undefined) {
      node.maxLength = MAX_LENGTH_BY_FORMAT[String(node.format)] ?? DEFAULT_MAX_LENGTH;
      filled.push(`${path} maxLength`);
    }
    if (node.format === undefined && node.pattern === undefined) {
      node.pattern = TEXT_PATTERN;
      filled.push(`${path} pattern`);
    }
  }
  if (hasType(node, 'integer')) {
    // A bound beyond int32 (a bigint sequence, say) makes it an int64, never an int32 with a wider range.
    const wide = [node.minimum, node.maximum].some((b) => typeof b === 'number' && Math.abs(b) > 2 ** 31);
    if (node.format === undefined) node.format = wide ? 'int64' : 'int32';
    const int64 = node.format === 'int64';
    const [min, max] = int64 ? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : [-(2 ** 31), 2 ** 31 - 1];
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) {
      node.minimum = min;
      filled.push(`${path} minimum`);
    }
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) {
      node.maximum = max;
      filled.push(`${path} maximum`);
    }
  }
  if (hasType(node, 'array') && node.maxItems === undefined) {
    node.maxItems = DEFAULT_MAX_ITEMS;
    filled.push(`${path} maxItems`);
  }
  for (const [k, v] of Object.entries(node)) fillLimits(v, `${path}.${k}`, filled);
  return filled;
}
