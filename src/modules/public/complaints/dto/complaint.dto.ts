import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar, JsonObjectScalar } from '../../../../api/graphql/scalars';

@ObjectType('ComplaintAttributeValue')
export class CategoryAttributeValueDto {
  @Field()
  @ApiProperty({ maxLength: 64 })
  key: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  name: string;
}

/** An Open311 attribute of a category, in the caller's language. */
@ObjectType('ComplaintCategoryAttribute')
export class CategoryAttributeDto {
  @Field()
  @ApiProperty({ maxLength: 64 })
  code: string;

  @Field()
  @ApiProperty({ enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] })
  datatype: string;

  @Field()
  @ApiProperty()
  required: boolean;

  @Field(() => Int)
  @ApiProperty()
  order: number;

  @Field()
  @ApiProperty({ maxLength: 500 })
  description: string;

  @Field(() => [CategoryAttributeValueDto])
  @ApiProperty({ type: [CategoryAttributeValueDto] })
  values: CategoryAttributeValueDto[];
}

/** A node of the category tree (names in the caller's language). */
@ObjectType('ComplaintCategory')
export class ComplaintCategoryDto {
  @Field()
  @ApiProperty({ maxLength: 84 })
  code: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 84 })
  parentCode: string | null;

  /** only leaves take work orders */
  @Field()
  @ApiProperty()
  assignable: boolean;

  @Field()
  @ApiProperty({ enum: ['consultation', 'help', 'complaint', 'suggestion'] })
  kind: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  name: string;

  @Field()
  @ApiProperty({ maxLength: 1000 })
  description: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  group: string;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  keywords: string[];

  @Field(() => [CategoryAttributeDto])
  @ApiProperty({ type: [CategoryAttributeDto] })
  attributes: CategoryAttributeDto[];
}

/** What the filer keeps: the work-order number and, to follow it without an account, the tracking code. */
@ObjectType('FiledComplaint')
export class FiledComplaintDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  number: string;

  /** a bearer secret: whoever holds it follows the order (GET /v1/complaints/track/{code}) */
  @Field()
  @ApiProperty({ maxLength: 16, pattern: '^[0-9A-HJKMNP-TV-Z]{16}$' })
  trackingCode: string;

  /** true when the same text from the same filer within 24 hours answered with the earlier order */
  @Field()
  @ApiProperty()
  duplicate: boolean;
}

/** The complainant's contact as staff see it: masked unless unmasked by the dispatch centre or handling unit. */
@ObjectType('ComplaintContact')
export class ComplaintContactDto {
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 101 })
  name: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 254 })
  email: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 20 })
  phone: string | null;

  @Field()
  @ApiProperty()
  masked: boolean;
}

@ObjectType('ComplaintUpdate')
export class ComplaintUpdateDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** transition | follow_up | supervision | merge | callback_request */
  @Field()
  @ApiProperty({ maxLength: 24 })
  kind: string;

  @Field()
  @ApiProperty({ enum: ['open', 'closed'] })
  status: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  extendedStatus: string;

  @Field()
  @ApiProperty({ maxLength: 4000 })
  description: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  tier: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

/** A work order as staff in scope and its real-name complainant see it. */
@ObjectType('Complaint')
export class ComplaintDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  number: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  caseId: string | null;

  @Field()
  @ApiProperty({ maxLength: 84 })
  categoryCode: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  categoryName: string;

  @Field()
  @ApiProperty({ maxLength: 4000 })
  description: string;

  @Field()
  @ApiProperty({ enum: ['normal', 'urgent', 'life_safety'] })
  urgency: string;

  @Field()
  @ApiProperty({ enum: ['portal', 'app', 'mini_program', 'hotline', 'open311'] })
  channel: string;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: 'number', nullable: true })
  lat: number | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: 'number', nullable: true })
  long: number | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 300 })
  address: string | null;

  @Field()
  @ApiProperty({ pattern: '^\\d{6}$' })
  regionCode: string;

  @Field(() => JsonObjectScalar)
  @ApiProperty({ type: 'object', additionalProperties: true })
  attributes: Record<string, unknown>;

  @Field(() => [ID])
  @ApiProperty({ type: [String] })
  mediaFileIds: string[];

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  mediaUrls: string[];

  @Field()
  @ApiProperty()
  anonymous: boolean;

  /** null for anonymous orders (nobody learns who filed) and for the complainant's own view */
  @Field(() => ComplaintContactDto, { nullable: true })
  @ApiPropertyOptional({ type: ComplaintContactDto, nullable: true })
  contact: ComplaintContactDto | null;

  @Field()
  @ApiProperty({ enum: ['open', 'closed'] })
  status: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  extendedStatus: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  statusNotes: string | null;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  dispatchOrganisationId: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  handlingOrganisationId: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  duplicateOfId: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, enum: ['satisfied', 'basically_satisfied', 'dissatisfied'] })
  satisfaction: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  expectedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @Field(() => Int)
  @ApiProperty()
  version: number;

  @Field(() => [ComplaintUpdateDto])
  @ApiProperty({ type: [ComplaintUpdateDto] })
  updates: ComplaintUpdateDto[];
}

export class ComplaintPageDto {
  @ApiProperty({ type: [ComplaintDto] })
  items: ComplaintDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true })
  nextCursor: string | null;
}

/** A work order as anyone holding its tracking code sees it: no personal data. */
@ObjectType('TrackedComplaint')
export class TrackedComplaintDto {
  @Field()
  @ApiProperty({ maxLength: 32 })
  number: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  categoryName: string;

  @Field()
  @ApiProperty({ enum: ['open', 'closed'] })
  status: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  extendedStatus: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  statusNotes: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  expectedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => [ComplaintUpdateDto])
  @ApiProperty({ type: [ComplaintUpdateDto] })
  updates: ComplaintUpdateDto[];
}

/** Work orders of one category in one region in one ISO week. */
@ObjectType('ComplaintHotspot')
export class HotspotDto {
  @Field()
  @ApiProperty()
  categoryCode: string;

  @Field()
  @ApiProperty()
  regionCode: string;

  /** Monday of the week (China time), YYYY-MM-DD */
  @Field()
  @ApiProperty({ format: 'date' })
  week: string;

  @Field(() => Int)
  @ApiProperty()
  count: number;
}

/** A map point: the centre of a grid cell and the work orders placed in it. */
@ObjectType('ComplaintHotspotPoint')
export class HotspotPointDto {
  @Field(() => Float)
  @ApiProperty()
  lat: number;

  @Field(() => Float)
  @ApiProperty()
  long: number;

  @Field(() => Int)
  @ApiProperty()
  count: number;

  /** the most frequent category in the cell */
  @Field()
  @ApiProperty()
  topCategoryCode: string;
}

/** The follow-up recorded. */
@ObjectType('ComplaintUpdateRef')
export class ComplaintUpdateRefDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  updateId: string;
}
