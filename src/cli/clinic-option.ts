import type { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { isUuid } from '../platform/ids';

/** The clinic a `--clinic` option names: by code (as everywhere in the CLI) or by id. */
export async function clinicIdOf(dataSource: DataSource, codeOrId: string): Promise<string> {
  if (isUuid(codeOrId)) return codeOrId;
  return (await new AccountsService(dataSource).clinicByCode(codeOrId)).id;
}
