import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listWithFind } from '../../src/ingest/sources/find-listing';
import { listSourceFiles, walk, wantedBy } from '../../src/ingest/sources/source-files';

const byPath = <T extends { path: string }>(xs: T[]) => [...xs].sort((a, b) => (a.path < b.path ? -1 : 1));

describe('source folder listing', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'amsnet-listing-'));
    root = join(base, 'source');
    await mkdir(join(root, 'embryo_dataset', 'E1'), { recursive: true });
    await mkdir(join(root, '.hidden-folder'), { recursive: true });
    await mkdir(join(base, 'elsewhere'));
    await writeFile(join(base, 'elsewhere', 'outside.jpeg'), 'x');
    const files: [string, string][] = [
      ['embryo_dataset/E1/RUN1.jpeg', 'one'],
      ['embryo_dataset/E1/RUN2.JPG', 'two!'],
      ['embryo_dataset/E1/notes.txt', 'not wanted'],
      ['embryo_dataset/E1/.RUN3.jpeg.part', 'a temporary copy'],
      ['.hidden-folder/RUN4.jpeg', 'hidden'],
      ['top level é ü.csv', 'non-ASCII name with spaces'],
      ['line\nbreak.jpeg', 'a newline in the name'],
    ];
    for (const [path, text] of files) await writeFile(join(root, path), text);
    // a fractional mtime with nanoseconds, as file systems record it
    await utimes(join(root, 'embryo_dataset/E1/RUN1.jpeg'), 1764600000.123456, 1764600000.123456);
    await symlink(join(base, 'elsewhere', 'outside.jpeg'), join(root, 'link.jpeg'));
    await symlink(join(base, 'elsewhere'), join(root, 'linked-folder'));
  });

  afterAll(async () => rm(base, { recursive: true, force: true }));

  it('GNU find and the walk in this process list the same files, sizes and mtimes (no links, no hidden files)', async () => {
    const found = await listWithFind(root);
    expect(found).not.toBeNull(); // GNU find is part of Debian and of the images
    const walked = await walk(root, () => true);
    expect(byPath(found!)).toEqual(byPath(walked));
    expect(byPath(walked).map((f) => f.path)).toEqual([
      'embryo_dataset/E1/RUN1.jpeg',
      'embryo_dataset/E1/RUN2.JPG',
      'embryo_dataset/E1/notes.txt',
      'line\nbreak.jpeg',
      'top level é ü.csv',
    ]);
    expect(walked.find((f) => f.path.endsWith('RUN2.JPG'))!.size).toBe(4);
  });

  it('lists what a kind of source imports, sorted by path', async () => {
    expect((await listSourceFiles(root, 'FOLDER')).map((f) => f.path)).toEqual([
      'embryo_dataset/E1/RUN1.jpeg',
      'embryo_dataset/E1/RUN2.JPG',
      'line\nbreak.jpeg',
      'top level é ü.csv',
    ]);
    expect(wantedBy('CYCLES')('sheet.CSV')).toBe(true);
  });

  it('a folder find cannot list wholly is left to the walk, which reports it', async () => {
    expect(await listWithFind(join(base, 'missing'))).toBeNull();
    await expect(listSourceFiles(join(base, 'missing'), 'FOLDER')).rejects.toThrow(/ENOENT/);
  });
});
