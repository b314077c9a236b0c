import { Injectable } from '@nestjs/common';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** A JSON Schema (2020-12) for one event type's payload. */
export type PayloadSchema = Record<string, unknown>;

/** What a module declares about one of its event types. */
export interface EventTypeDefinition {
  /** `<aggregate>.<past-tense verb>`, e.g. `case.transitioned` */
  type: string;
  /** bumped when the payload changes shape; stored on every event */
  version: number;
  /** when the event is published, in one sentence (shown in the catalogue) */
  description: string;
  /**
   * The payload's schema: an object with `additionalProperties: false`, so nothing the catalogue
   * does not name (a name, a phone number, a form answer) can slip into the outbox.
   */
  schema: PayloadSchema;
}

const TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * The one catalogue of domain event types. Modules register theirs from their own code (in
 * onModuleInit); publishing an unregistered type or a payload its schema refuses is a programming
 * error and throws, so it fails the test that exercises the write rather than reaching a subscriber.
 */
@Injectable()
export class EventCatalogue {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
  private readonly types = new Map<string, { def: EventTypeDefinition; validate: ValidateFunction }>();

  register(...defs: EventTypeDefinition[]): void {
    for (const def of defs) {
      if (!TYPE_RE.test(def.type) || def.type.length > 100)
        throw new Error(`event type "${def.type}" must look like "aggregate.verb" (≤ 100 characters)`);
      if (!Number.isInteger(def.version) || def.version < 1)
        throw new Error(`event type "${def.type}": version must be a positive integer`);
      if (this.types.has(def.type)) throw new Error(`event type "${def.type}" is already registered`);
      if (def.schema.type !== 'object' || def.schema.additionalProperties !== false)
        throw new Error(
          `event type "${def.type}": the payload schema must be an object closed by additionalProperties: false`,
        );
      this.types.set(def.type, { def, validate: this.ajv.compile(def.schema) });
    }
  }

  /** Throws unless `type` is registered and `payload` satisfies its schema; returns the definition. */
  check(type: string, payload: unknown): EventTypeDefinition {
    const entry = this.types.get(type);
    if (!entry) throw new Error(`event type "${type}" is not registered in the event catalogue`);
    if (!entry.validate(payload)) {
      const why = (entry.validate.errors ?? [])
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
        .join('; ');
      throw new Error(`payload of "${type}" breaks its schema: ${why}`);
    }
    return entry.def;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** Every registered type, by name. */
  list(): EventTypeDefinition[] {
    return [...this.types.values()].map((t) => t.def).sort((a, b) => a.type.localeCompare(b.type));
  }
}

/** Schema helpers for the catalogue's payloads: ids, codes and flags only. */
export const S = {
  uuid: { type: 'string', format: 'uuid' },
  id: { type: 'string', minLength: 1, maxLength: 100 },
  code: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
  nullableCode: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' }] },
  nullableUuid: { anyOf: [{ type: 'null' }, { type: 'string', format: 'uuid' }] },
  bool: { type: 'boolean' },
  object(properties: Record<string, unknown>, optional: string[] = []): PayloadSchema {
    return {
      type: 'object',
      properties,
      required: Object.keys(properties).filter((k) => !optional.includes(k)),
      additionalProperties: false,
    };
  },
} as const;
