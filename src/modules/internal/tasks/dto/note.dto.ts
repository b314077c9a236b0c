import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { IsPlainText, StaffRefDto } from './task.dto';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

export const MAX_NOTE_LENGTH = 4000;

export class CreateCaseNoteDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_NOTE_LENGTH,
    example: '申请人电话告知营业场所租赁合同下周补齐。',
  })
  @IsPlainText(MAX_NOTE_LENGTH)
  body: string;
}

@ArgsType()
export class CaseNotesArgs extends ConnectionArgs {
  @Field(() => ID)
  @IsUUID()
  caseId: string;
}

@InputType()
export class AddCaseNoteInput {
  @Field(() => ID)
  @IsUUID()
  caseId: string;

  @Field()
  @IsPlainText(MAX_NOTE_LENGTH)
  body: string;
}

/** An internal note (内部意见) on a case: staff of the case's units only. */
@ObjectType('CaseNote')
export class CaseNoteDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @Field(() => StaffRefDto)
  author: StaffRefDto;

  @Field()
  @ApiProperty({ maxLength: MAX_NOTE_LENGTH })
  body: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class CaseNotePageDto {
  @ApiProperty({ type: [CaseNoteDto], maxItems: 100 })
  items: CaseNoteDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}
