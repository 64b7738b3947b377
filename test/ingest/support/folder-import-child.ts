/**
 * Child process for the SIGKILL test: imports a folder export and prints the running frame count
 * on stdout, one line per progress event, until the parent kills it.
 * argv: DATABASE_URL CLINIC_ID EXPORT_DIR
 */
import { createDataSource } from '../../../src/platform/database/data-source';
import { ImportService } from '../../../src/ingest/import.service';
import { SYSTEM_ACTOR } from '../../../src/platform/audit/audit-actions';

async function main(): Promise<void> {
  const [url, clinicId, dir] = process.argv.slice(2);
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  await new ImportService(dataSource).importFolder(dir, {
    clinicId, actor: SYSTEM_ACTOR,
    onProgress: (p) => process.stdout.write(`${p.unitsDone} ${p.frames}\n`),
  });
  await dataSource.destroy();
  process.stdout.write('done\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
