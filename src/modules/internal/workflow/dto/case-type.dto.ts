import { ArgsType, Field, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { CASE_TYPE_RE, SUBJECT_KEY_RE, TextsDto } from './case.dto';

export class CaseTypeParamsDto {
  @ApiProperty({ pattern: CASE_TYPE_RE.source, description: 'a registered case type, e.g. service' })
  @Matches(CASE_TYPE_RE)
  type: string;

  @ApiProperty({ pattern: SUBJECT_KEY_RE.source, description: 'the subject within the case type' })
  @Matches(SUBJECT_KEY_RE)
  key: string;
}

@ArgsType()
export class CaseTypeWorkflowsArgs extends ConnectionArgs {
  @Field()
  @Matches(CASE_TYPE_RE)
  caseType: string;

  @Field()
  @Matches(SUBJECT_KEY_RE)
  subjectKey: string;
}

@ObjectType('CaseType', { description: 'A case type a module registered with the workflow engine.' })
export class CaseTypeDto {
  @Field()
  @ApiProperty({ maxLength: 32 })
  key: string;

  @Field(() => TextsDto)
  @ApiProperty({ type: TextsDto })
  title: TextsDto;
}

export class CaseTypeListDto {
  @ApiProperty({ type: [CaseTypeDto] })
  items: CaseTypeDto[];
}
