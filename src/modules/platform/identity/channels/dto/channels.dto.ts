import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { Channel, CHANNELS } from '../channel-provider';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** wx.login codes are 32 characters, Alipay auth codes similar; anything else is not a code */
const CODE = /^[A-Za-z0-9_-]{1,128}$/;

/** A login code a mini-program just obtained (wx.login / my.getAuthCode): single use, minutes long. */
export class ChannelCodeDto {
  @ApiProperty({ enum: CHANNELS, example: 'wechat-mp' })
  @IsIn(CHANNELS)
  channel: Channel;

  /** the mini-program's app id at its platform */
  @ApiProperty({ example: 'wx0123456789abcdef', pattern: APP_ID.source, maxLength: 64 })
  @IsString()
  @Matches(APP_ID)
  appId: string;

  /** the login code; exchanged server-side, never stored */
  @ApiProperty({ example: '0a3xYz000ABCdef1Ghij200kLmn4xYzA', pattern: CODE.source, maxLength: 128 })
  @IsString()
  @Matches(CODE)
  code: string;
}

/** A linked mini-program identity; the openid is shown masked only. */
@ObjectType('ChannelIdentity', {
  description: 'A mini-program identity linked to the account; openid masked.',
})
export class ChannelIdentityDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field({ description: 'wechat-mp or alipay-mp' })
  @ApiProperty({ enum: CHANNELS })
  channel: string;

  @Field()
  @ApiProperty({ maxLength: 64 })
  appId: string;

  /** masked, e.g. oGZ*********************VJJE */
  @Field({ description: 'masked, e.g. oGZ*********************VJJE' })
  @ApiProperty({ maxLength: 128, example: 'oGZ*********************VJJE' })
  openid: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
