import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IdentityAssurance } from '../../../platform/identity/identity-assurance.graphql';
import { JsonObjectScalar } from '../../../../api/graphql/scalars';
import { ServiceFilters } from './catalog.dto';
import { GuideDto } from './service-content.dto';

@ObjectType('ElderServiceGuide', { description: '长辈版: plain fields, at most five steps.' })
export class ElderGuideNode {
  @Field()
  summary: string;

  @Field(() => [String])
  steps: string[];

  @Field(() => [String], { description: 'material names only' })
  materials: string[];

  @Field()
  timeLimit: string;

  @Field()
  visits: string;

  @Field()
  fees: string;

  @Field(() => [String])
  places: string[];

  @Field()
  consultPhone: string;
}

@ObjectType('ServiceGuide', {
  description: "The published guide in the caller's language (REST: GET /v1/services/{id}).",
})
export class ServiceGuideNode {
  @Field(() => ID)
  id: string;

  @Field({ description: 'standard or elder' })
  mode: string;

  @Field()
  language: string;

  @Field(() => Int)
  versionNumber: number;

  @Field()
  title: string;

  @Field(() => String, { nullable: true })
  summary: string | null;

  @Field(() => IdentityAssurance, {
    description: 'real_name: sign in with the national eID (or be verified at a counter) before submitting',
  })
  requiredAssurance: IdentityAssurance;

  @Field(() => GuideDto, { nullable: true, description: 'the full guide, as REST guide (standard mode)' })
  guide: GuideDto | null;

  @Field(() => JsonObjectScalar, {
    nullable: true,
    description: 'the application form, a JSON Schema (draft 2020-12) as REST form (standard mode)',
  })
  form: Record<string, unknown> | null;

  @Field(() => ElderGuideNode, { nullable: true, description: 'the elder variant (elder mode)' })
  elder: ElderGuideNode | null;
}

/** The arguments of services: the filters of REST's GET /v1/services, paged the GraphQL way. */
@ArgsType()
export class ServicesArgs extends ServiceFilters {
  @Field(() => Int, { nullable: true, defaultValue: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  first?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+$/)
  after?: string | null;
}

/** The arguments of searchServices: the same rules as REST's GET /v1/services/search query. */
@ArgsType()
export class ServiceSearchArgs {
  @Field({ description: 'words to look for (Chinese or English), 1 to 100 characters' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  q: string;

  @Field(() => Int, { nullable: true, description: 'at most this many hits, 1 to 50 (default 20)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}
