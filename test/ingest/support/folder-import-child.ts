/**
 * Child process for the SIGKILL test: imports a folder export and prints the running frame count
 * on stdout, one line per progress event, until the parent kills it.
 * argv: DATABASE_URL CLINIC_ID EXPORT_DIR
 */
import { createAppDataSource } from '../../../src/app/database';
import { createServices } from '../../../src/app/services';

async function main(): Promise<void> {
  const [url, clinicId, dir] = process.argv.slice(2);
  const dataSource = createAppDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  const { imports, system } = createServices({ dataSource, databaseUrl: url });
  await imports.importFolder(dir, {
    grant: system.clinic(clinicId),
    onProgress: (p) => process.stdout.write(`${p.unitsDone} ${p.frames}\n`),
  });
  await dataSource.destroy();
  process.stdout.write('done\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
