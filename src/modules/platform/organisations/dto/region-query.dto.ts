import { IsOptional, Matches } from 'class-validator';

export class RegionQueryDto {
  /** children of this region code */
  @IsOptional()
  @Matches(/^\d{6}(\d{6})?$/)
  parentCode?: string;
}
