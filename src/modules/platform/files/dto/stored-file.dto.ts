import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { FilePurpose } from '../stored-file.entity';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

/** A stored file as every caller sees it: no storage key, no uploader. */
@ObjectType('StoredFile', { description: 'An uploaded file (content at GET /v1/files/{id}/content)' })
export class StoredFileDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ maxLength: 200, example: '营业执照.pdf' })
  @Field()
  name: string;

  @ApiProperty({
    enum: ['application/pdf', 'image/png', 'image/jpeg', 'application/ofd'],
    description: 'recognised from the content (magic bytes), not taken from the client',
  })
  @Field({
    description: 'recognised from the content: application/pdf, image/png, image/jpeg or application/ofd',
  })
  contentType: string;

  @ApiProperty({ minimum: 1, maximum: 1073741824 })
  @Field(() => Int, { description: 'bytes' })
  size: number;

  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    minLength: 64,
    maxLength: 64,
    description: 'hex sha256 of the bytes',
  })
  @Field({ description: 'hex sha256 of the bytes' })
  sha256: string;

  @ApiProperty({ format: 'date-time' })
  @Field(() => DateTimeScalar)
  createdAt: string;
}

export class UploadFileQueryDto {
  @ApiPropertyOptional({
    maxLength: 1000,
    description:
      "file name for raw uploads (multipart takes the part's filename); sanitised and cut to 200 characters",
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  name?: string;

  @ApiPropertyOptional({
    enum: FilePurpose,
    enumName: 'FilePurpose',
    description:
      'attachment (default; private to the uploader until attached) or template (catalog:manage; public at once)',
  })
  @IsOptional()
  @IsEnum(FilePurpose)
  purpose?: FilePurpose;
}
