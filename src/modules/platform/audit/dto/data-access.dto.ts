import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { PageQuery } from '../../../../api/http/pagination';

/** `?since=&until=&limit=&cursor=`, newest first (the Estonian Data Tracker's findUsage, paged by cursor). */
export class DataAccessQueryDto extends PageQuery {
  /** only accesses at or after this instant (ISO 8601) */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  /** only accesses before this instant (ISO 8601) */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

/** The agency (or unit) whose staff or system accessed the data. */
export class DataAccessAgencyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** in the caller's language where a translation exists */
  name: string;
}

/** Which kind of system accessed the data; for staff only the agency is shown, never the person. */
export class DataAccessSystemDto {
  @ApiProperty({ enum: ['staff', 'client', 'apikey'] })
  kind: 'staff' | 'client' | 'apikey';

  /** the machine client or API key, for client and apikey accesses */
  @ApiProperty({ type: 'string', nullable: true })
  clientId: string | null;
}

export class DataAccessItemDto {
  /** audit log position: quote it when asking the agency about this access */
  @ApiProperty({ type: 'integer', minimum: 0 })
  seq: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  /** what was done, e.g. account.read */
  action: string;

  /** the reason the agency stated */
  @ApiProperty({ type: 'string', nullable: true })
  purpose: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  legalBasis: string | null;

  @ApiProperty({ type: DataAccessAgencyDto, nullable: true })
  agency: DataAccessAgencyDto | null;

  system: DataAccessSystemDto;

  /** the channel the access came through, when declared */
  @ApiProperty({ type: 'string', nullable: true })
  channel: string | null;
}

export class DataAccessPageDto {
  @ApiProperty({ type: [DataAccessItemDto], maxItems: 100 })
  items: DataAccessItemDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}
