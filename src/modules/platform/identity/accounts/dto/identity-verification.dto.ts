import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';
import { IsNationalId, NormaliseNationalId } from '../../auth/dto/validators';
import { IdentityAssurance } from '../../identity-assurance.graphql';
import { IdentityVerifiedBy } from '../../identity-assurance';
import { REAL_NAME } from '../../me/dto/me.dto';

/** What the clerk read from the identity card the person showed at the counter. */
@InputType('IdentityVerificationInput', {
  description: 'The name and ID number on the identity card the person showed at the counter.',
})
export class IdentityVerificationDto {
  /** real name as printed on the identity card */
  @Field({ description: 'real name as printed on the identity card' })
  @ApiProperty({ maxLength: 50, example: '张三' })
  @IsString()
  @Length(1, 50)
  @Matches(REAL_NAME)
  realName: string;

  /** 18-character resident ID number on the card; stored encrypted, never echoed */
  @Field({ description: '18-character resident ID number on the card; stored encrypted, never echoed' })
  @ApiProperty({ minLength: 18, maxLength: 18, writeOnly: true })
  @NormaliseNationalId()
  @IsString()
  @IsNationalId()
  nationalId: string;
}

/** The account's identity assurance after the verification. */
@ObjectType('IdentityVerification', {
  description: "An account's identity assurance after a counter verification.",
})
export class IdentityVerificationResultDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @Field(() => IdentityAssurance)
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  identityAssurance: IdentityAssurance;

  @Field(() => String, { description: 'national_eid, counter or demo' })
  @ApiProperty({ enum: IdentityVerifiedBy, enumName: 'IdentityVerifiedBy' })
  identityVerifiedBy: IdentityVerifiedBy;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  identityVerifiedAt: string;
}
