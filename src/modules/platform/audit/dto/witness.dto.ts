import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** A checkpoint of another log to witness, with the proof that it extends the one witnessed before. */
export class WitnessRequestDto {
  /** the tree size this witness last witnessed for the checkpoint's origin (0 the first time) */
  @ApiProperty({ type: 'integer', minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  oldSize: number;

  /** RFC 9162 consistency proof from oldSize to the checkpoint's size, base64 hashes */
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'byte' }, maxItems: 128 })
  @IsArray()
  @ArrayMaxSize(128)
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { each: true, message: 'each proof hash must be base64 of 32 bytes' })
  proof: string[];

  /** the signed note (C2SP checkpoint) as the log serves it */
  @ApiProperty({ maxLength: 8192 })
  @IsString()
  @MaxLength(8192)
  checkpoint: string;
}

export class WitnessedQueryDto {
  /** the log's origin line, e.g. gov.example/audit */
  @ApiProperty()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9.:/_-]{0,199}$/, { message: 'origin must look like gov.example/audit' })
  origin: string;
}

/** The newest checkpoint witnessed for a log, with this instance's cosignature appended. */
export class WitnessedCheckpointDto {
  origin: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  size: number;

  /** the log's signed note plus this witness's signature line */
  checkpoint: string;

  /** the witness's verifier key (its own audit log key), to check the cosignature */
  witnessVkey: string;

  @ApiProperty({ format: 'date-time' })
  witnessedAt: string;
}
