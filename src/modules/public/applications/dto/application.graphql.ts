import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsEnum,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { JsonObjectScalar } from '../../../../api/graphql/scalars';
import { ApplicationStatus } from '../application.entity';

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

  @Field(() => JsonObjectScalar, { nullable: true, description: 'the form data (REST: formData)' })
  @IsOptional()
  @IsObject()
  formData?: Record<string, unknown>;

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
  @Field(() => JsonObjectScalar, {
    nullable: true,
    description: 'corrected or added fields (REST: formData)',
  })
  @IsOptional()
  @IsObject()
  formData?: Record<string, unknown>;

  @Field(() => [ApplicationAttachmentInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ApplicationAttachmentInput)
  attachments?: ApplicationAttachmentInput[];
}
