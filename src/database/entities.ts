// Every entity, listed once for the app, the migration scripts and the tests.
// Concrete entity classes (TypeORM instantiates them with no arguments).
import { Organisation, OrganisationClosure, Region } from '../modules/platform/organisations/organisation.entity';

export const ENTITIES: Array<new () => object> = [Region, Organisation, OrganisationClosure];
