import { InitialSchema1764190000000 } from './1764190000000-initial-schema';
import { IngestedDicomInstance1764190000100 } from './1764190000100-ingested-dicom-instance';
import { ScoringStreamState1764190000300 } from './1764190000300-scoring-stream-state';
import { ModelProvenance1764190001000 } from './1764190001000-model-provenance';
import { AccountSecurity1764190002000 } from './1764190002000-account-security';
import { AuditHashChain1764190003000 } from './1764190003000-audit-hash-chain';
import { ProcessLeases1764190004000 } from './1764190004000-process-leases';
import { ImportSources1764190005000 } from './1764190005000-import-sources';
import { ClinicalGovernance1764190006000 } from './1764190006000-clinical-governance';
import { ImportSourceFolders1764291000000 } from './1764291000000-import-source-folders';
import { ImportSourceScanLease1764291001000 } from './1764291001000-import-source-scan-lease';

/** Every migration, oldest first. Listed explicitly so ts-jest and the compiled build load the same set. */
export const MIGRATIONS = [
  InitialSchema1764190000000,
  IngestedDicomInstance1764190000100,
  ScoringStreamState1764190000300,
  ModelProvenance1764190001000,
  AccountSecurity1764190002000,
  AuditHashChain1764190003000,
  ProcessLeases1764190004000,
  ImportSources1764190005000,
  ClinicalGovernance1764190006000,
  ImportSourceFolders1764291000000,
  ImportSourceScanLease1764291001000,
];
