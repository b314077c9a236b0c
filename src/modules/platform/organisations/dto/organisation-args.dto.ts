import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { OrganisationKind } from '../organisation.entity';

@ArgsType()
export class OrganisationArgs extends ConnectionArgs {
  @Field({ nullable: true, description: 'only units in this region or below it' })
  @IsOptional()
  @Matches(/^\d{6}(\d{6})?$/)
  region?: string;

  @Field(() => OrganisationKind, { nullable: true })
  @IsOptional()
  @IsEnum(OrganisationKind)
  kind?: OrganisationKind;

  @Field(() => ID, { nullable: true, description: 'direct children of this unit' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @Field(() => ID, { nullable: true, description: 'units at or below this one' })
  @IsOptional()
  @IsUUID()
  within?: string;

  @Field({ nullable: true, description: 'words in the name' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;
}
