// The catalogue's enums, apart from the entity so that the DTOs (which the entity's jsonb column
// types) and the entity import them without an import cycle. service.entity.ts re-exports them.
/** taskType of the national catalogue: 1 行政许可, 5 行政给付, 10 其他行政权力, 20 公共服务. */
export enum ServiceType {
  AdministrativeLicence = 'administrative_licence',
  PublicService = 'public_service',
  AdministrativePayment = 'administrative_payment',
  OtherPower = 'other_power',
}

/** 服务对象: natural persons, legal persons (businesses), or both. */
export enum ServiceTarget {
  Person = 'person',
  Business = 'business',
  Both = 'both',
}

export enum ServiceStatus {
  Draft = 'draft',
  InReview = 'in_review',
  Published = 'published',
  Retired = 'retired',
}

export enum ServiceVersionState {
  Draft = 'draft',
  InReview = 'in_review',
  Published = 'published',
  /** a published version replaced by a newer one: kept, never shown to the public again */
  Superseded = 'superseded',
}
