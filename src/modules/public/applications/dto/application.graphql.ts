import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsEnum,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { ApplicationStatus } from '../application.entity';

/** GraphQL has no free-form objects: form data travels as JSON text, at most 64 KiB. */
const MAX_JSON = 64 * 1024;

@ArgsType()
export class MyApplicationsArgs extends ConnectionArgs {
  @Field(() => ApplicationStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ApplicationStatus)
  status?: ApplicationStatus;
}

@InputType('CreateApplicationInput')
export class CreateApplicationInput {
  @Field(() => ID)
  @IsUUID()
  serviceId: string;

  @Field(() => String, { nullable: true, description: 'the form data as a JSON object' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_JSON)
  formJson?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  businessAccountId?: string;
}

@InputType('ApplicationAttachmentInput')
export class ApplicationAttachmentInput {
  @Field(() => ID)
  @IsUUID()
  fileId: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  material: string;
}

@InputType('SupplementAnswerInput')
export class SupplementAnswerInput {
  @Field(() => String, { nullable: true, description: 'corrected fields as a JSON object' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_JSON)
  formJson?: string;

  @Field(() => [ApplicationAttachmentInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ApplicationAttachmentInput)
  attachments?: ApplicationAttachmentInput[];
}

/** A JSON object from a GraphQL string argument, or a 400 naming the argument. */
export function parseFormJson(
  json: string | null | undefined,
  pointer: string,
): Record<string, unknown> | undefined {
  if (json === undefined || json === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      { pointer, code: 'isJsonObject', message: `${pointer.slice(1)} must be a JSON object` },
    ]);
  return value as Record<string, unknown>;
}
