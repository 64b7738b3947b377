import { InitialSchema1764190000000 } from './1764190000000-initial-schema';

/** Every migration, oldest first. Listed explicitly so ts-jest and the compiled build load the same set. */
export const MIGRATIONS = [InitialSchema1764190000000];
