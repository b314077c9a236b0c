import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What this API is and how it talks to you.' })
export class ApiInfo {
  /** stable product name */
  @Field({ description: 'Product name (not translated).' })
  name: string;

  /** human title in the negotiated language */
  @Field({ description: 'Title in the language of this response.' })
  title: string;

  /** contract version, the same as the REST /v1 prefix and the OpenAPI info.version */
  @Field({ description: 'API contract version (REST paths carry it as /v1).' })
  version: string;

  @Field(() => [String], {
    description: 'Languages the API answers in, as BCP 47 tags; the first is the default.',
  })
  languages: string[];

  @Field({ description: 'Language of this response, negotiated from Accept-Language.' })
  language: string;
}
