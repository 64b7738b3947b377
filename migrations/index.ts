import { InitialSchema1764190000000 } from './1764190000000-initial-schema';
import { IngestedDicomInstance1764190000100 } from './1764190000100-ingested-dicom-instance';
import { ScoringStreamState1764190000300 } from './1764190000300-scoring-stream-state';
import { ModelProvenance1764190001000 } from './1764190001000-model-provenance';

/** Every migration, oldest first. Listed explicitly so ts-jest and the compiled build load the same set. */
export const MIGRATIONS = [
  InitialSchema1764190000000,
  IngestedDicomInstance1764190000100,
  ScoringStreamState1764190000300,
  ModelProvenance1764190001000,
];
