import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export enum CalendarDayKind {
  /** a day off (放假) by notice or override */
  Holiday = 'holiday',
  /** a working day by 调休 notice (上班) or by override */
  Makeup = 'makeup',
}

export enum CalendarSource {
  /** from the national seed (State Council notices via chinese-days) */
  Seed = 'seed',
  /** set by an administrator through the API */
  Admin = 'admin',
}

/**
 * An exception to the Monday–Friday rule in one region: holidays and 调休 make-up days only.
 * Region '000000' is national; a region's calendar is the national one with the rows of its
 * ancestors and itself laid over it, the longest code prefix winning.
 */
@Entity('work_calendar_day')
@Check('work_calendar_day_kind_matches', `("kind" = 'makeup') = "is_workday"`)
export class WorkCalendarDay {
  /** administrative division code (GB/T 2260, 6 or 12 digits); '000000' = national */
  @PrimaryColumn({ length: 12 })
  regionCode: string;

  /** Beijing calendar day */
  @PrimaryColumn({ type: 'date' })
  date: string;

  @Column()
  isWorkday: boolean;

  @Column({ type: 'enum', enum: CalendarDayKind, enumName: 'work_calendar_day_kind' })
  kind: CalendarDayKind;

  /** e.g. 春节, 三月三 */
  @Column({ type: 'varchar', length: 50, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  nameEn: string | null;

  @Column({ type: 'enum', enum: CalendarSource, enumName: 'work_calendar_source' })
  source: CalendarSource;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * Whether a region's holiday arrangement for a year is known. Deadlines that count through a year
 * that is not published are provisional. The most specific region row wins; national years come
 * from the seed.
 */
@Entity('work_calendar_year')
export class WorkCalendarYear {
  @PrimaryColumn({ length: 12 })
  regionCode: string;

  @PrimaryColumn({ type: 'int' })
  year: number;

  @Column()
  published: boolean;

  /** the notice the year's arrangement comes from (国务院办公厅 or local government) */
  @Column({ type: 'varchar', length: 300, nullable: true })
  noticeUrl: string | null;

  @Column({ type: 'enum', enum: CalendarSource, enumName: 'work_calendar_year_source' })
  source: CalendarSource;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
