import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../../api/http/pagination';
import { OrganisationKind, RegionLevel } from '../organisation.entity';

registerEnumType(OrganisationKind, { name: 'OrganisationKind' });
registerEnumType(RegionLevel, { name: 'RegionLevel' });

const REGION_CODE = /^\d{6}(\d{6})?$/;
const PHONE = /^[0-9+\-() ]{3,30}$/;

@ObjectType()
@InputType('ContactChannelsInput')
export class ContactChannelsDto {
  /** telephone for enquiries */
  @Field({ nullable: true })
  @IsOptional()
  @Matches(PHONE)
  phone?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(200)
  email?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^https:\/\/[^\s]{3,300}$/)
  website?: string;

  /** opening hours in plain words, e.g. 工作日 9:00-17:00 */
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  hours?: string;

  /** supervision and complaints line, e.g. 12345 */
  @Field({ nullable: true })
  @IsOptional()
  @Matches(PHONE)
  supervisionPhone?: string;
}

@ObjectType('Organisation')
export class OrganisationDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** name in the caller's language (Chinese unless en was asked and exists) */
  @Field()
  name: string;

  @Field(() => OrganisationKind)
  @ApiProperty({ enum: OrganisationKind, enumName: 'OrganisationKind' })
  kind: OrganisationKind;

  /** administrative division code of the jurisdiction */
  @Field()
  regionCode: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', type: 'string', nullable: true })
  parentId: string | null;

  /** unified social credit code (agencies) */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  uscc: string | null;

  @Field(() => ContactChannelsDto)
  contacts: ContactChannelsDto;

  @Field()
  active: boolean;

  /** increases on every change; send it back as If-Match "v<version>" */
  @Field()
  version: number;
}

@InputType('CreateOrganisationInput')
export class CreateOrganisationDto {
  @Field()
  @IsString()
  @Length(2, 200)
  name: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(2, 300)
  nameEn?: string;

  @Field(() => OrganisationKind)
  @ApiProperty({ enum: OrganisationKind, enumName: 'OrganisationKind' })
  @IsEnum(OrganisationKind)
  kind: OrganisationKind;

  @Field()
  @Matches(REGION_CODE)
  regionCode: string;

  /** the unit this one belongs to; omit for a top-level agency */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[0-9A-HJ-NPQRTUWXY]{18}$/)
  uscc?: string;

  @Field(() => ContactChannelsDto, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactChannelsDto)
  contacts?: ContactChannelsDto;
}

/** PUT body: the full editable state (mini-programs cannot send PATCH). */
@InputType('UpdateOrganisationInput')
export class UpdateOrganisationDto extends CreateOrganisationDto {
  @Field()
  @IsBoolean()
  active: boolean;
}

export class OrganisationQueryDto extends PageQuery {
  /** only units in this region or below it (by code prefix) */
  @IsOptional()
  @Matches(REGION_CODE)
  region?: string;

  @ApiPropertyOptional({ enum: OrganisationKind, enumName: 'OrganisationKind' })
  @IsOptional()
  @IsEnum(OrganisationKind)
  kind?: OrganisationKind;

  /** direct children of this unit */
  @IsOptional()
  @IsUUID()
  parentId?: string;

  /** units at or below this one */
  @IsOptional()
  @IsUUID()
  within?: string;

  /** words in the name */
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;
}

export class OrganisationPageDto {
  @ApiProperty({ type: [OrganisationDto], maxItems: 100 })
  items: OrganisationDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@ObjectType('Region')
export class RegionDto {
  @Field()
  code: string;

  @Field()
  name: string;

  @Field(() => RegionLevel)
  @ApiProperty({ enum: RegionLevel, enumName: 'RegionLevel' })
  level: RegionLevel;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  parentCode: string | null;
}

@InputType('CreateRegionInput')
export class CreateRegionDto {
  @Field()
  @Matches(REGION_CODE)
  code: string;

  @Field()
  @IsString()
  @Length(1, 100)
  name: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  nameEn?: string;

  @Field(() => RegionLevel)
  @ApiProperty({ enum: RegionLevel, enumName: 'RegionLevel' })
  @IsEnum(RegionLevel)
  level: RegionLevel;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(REGION_CODE)
  parentCode?: string;
}
