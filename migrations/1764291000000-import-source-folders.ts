import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheap rescans of large import sources: `import_source_folder` lists every folder of a source its
 * scans have seen files in, with, when every file of it was stored at the last look, a digest of
 * that listing (each file's path, size and mtime). A rescan reads these few hundred rows instead of
 * every file's row, and reads the files' rows only of folders whose listing changed, that hold files
 * not stored, or that are gone: `folder`, the file's folder relative to the source ('' at its top),
 * is a generated column with an index for that.
 */
export class ImportSourceFolders1764291000000 implements MigrationInterface {
  name = 'ImportSourceFolders1764291000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE import_source_file
        ADD COLUMN folder text GENERATED ALWAYS AS (regexp_replace(path, '/?[^/]*$', '')) STORED;
      CREATE INDEX ix_import_source_file_folder ON import_source_file (source_id, folder);
      CREATE TABLE import_source_folder (
        source_id uuid NOT NULL REFERENCES import_source(id) ON DELETE CASCADE,
        folder text NOT NULL,
        digest text CHECK (digest ~ '^[0-9a-f]{32}$'),
        files integer NOT NULL CHECK (files > 0),
        PRIMARY KEY (source_id, folder)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE import_source_folder;
      DROP INDEX ix_import_source_file_folder;
      ALTER TABLE import_source_file DROP COLUMN folder;
    `);
  }
}
