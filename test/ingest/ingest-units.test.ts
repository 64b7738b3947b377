import sharp from 'sharp';
import { parseInseminationTime } from '../../src/ingest/cycles/cycle-sheet.reader';
import { parseDicomDateAndTime, parseDicomDateTime } from '../../src/ingest/dicom/dicom-datetime';
import { describeRuns, outcomeFromPhases } from '../../src/ingest/embryo-report';
import { focalPlaneOfFolder, parseFrameFileName } from '../../src/ingest/folder/folder-export.layout';
import {
  UnreadableFrameError,
  normaliseEncodedFrame,
  normaliseRawFrame,
} from '../../src/ingest/frames/frame-normaliser';
import { grayJpeg, noise } from '../helpers/ingest-fixtures';

describe('ingest building blocks', () => {
  it('maps plane folders and frame file names of the dataset layout', () => {
    expect(
      [
        'embryo_dataset',
        'embryo_dataset_F-45',
        'embryo_dataset_F15',
        'embryo_dataset_time_elapsed',
        'embryo_dataset_Fx',
      ].map(focalPlaneOfFolder),
    ).toEqual([0, -45, 15, null, null]);
    expect(parseFrameFileName('D2016.01.07_S1234_I141_WELL3_RUN120.jpeg')).toEqual({ well: 3, run: 120 });
    expect(parseFrameFileName('D2016.01.07_S1234_I141_WELL3.jpeg')).toBeNull();
  });

  it('derives the outcome from annotated phases', () => {
    expect(outcomeFromPhases([{ phase: 't2' }, { phase: 'tEB' }])).toBe('BLASTOCYST');
    expect(outcomeFromPhases([{ phase: 't2' }, { phase: 'tSB' }])).toBe('NOT_BLASTOCYST');
    expect(outcomeFromPhases([])).toBe('UNKNOWN');
    expect(describeRuns([9, 1, 2, 3, 5, 2])).toBe('1–3, 5, 9');
  });

  it('parses DICOM date-times with their own zone, TimezoneOffsetFromUTC, or as UTC', () => {
    expect(parseDicomDateTime('20260105120000.5+0100')!.toISOString()).toBe('2026-01-05T11:00:00.500Z');
    expect(parseDicomDateTime('20260105120000', '-0500')!.toISOString()).toBe('2026-01-05T17:00:00.000Z');
    expect(parseDicomDateTime('202601051200')!.toISOString()).toBe('2026-01-05T12:00:00.000Z');
    expect(parseDicomDateAndTime('20260105', '12:30:00')!.toISOString()).toBe('2026-01-05T12:30:00.000Z');
    expect(parseDicomDateTime('yesterday')).toBeNull();
    expect(parseDicomDateTime(undefined)).toBeNull();
  });

  it('accepts insemination times only with a zone and a real calendar date', () => {
    expect((parseInseminationTime('2026-01-05T09:30:00+01:00') as Date).toISOString()).toBe('2026-01-05T08:30:00.000Z');
    expect((parseInseminationTime('2026-01-05T09:30Z') as Date).toISOString()).toBe('2026-01-05T09:30:00.000Z');
    expect(parseInseminationTime('2026-01-05T09:30:00')).toMatch(/with a zone/);
    expect(parseInseminationTime('2026-02-29T09:30:00Z')).toMatch(/not a valid date/);
  });

  it('keeps a clean gray JPEG byte for byte, crops a banner to the bottom square, refuses a truncated file', async () => {
    const jpeg = await grayJpeg(1, 40);
    const kept = await normaliseEncodedFrame(jpeg);
    expect([kept.mime, kept.bytes.equals(jpeg), kept.width, kept.height, kept.bannerCropped]).toEqual([
      'image/jpeg',
      true,
      40,
      40,
      false,
    ]);

    // a white 10-row banner above a black square: the stored frame must contain no banner pixels
    const pixels = Buffer.concat([Buffer.alloc(40 * 10, 255), Buffer.alloc(40 * 40, 0)]);
    const bannered = await sharp(pixels, { raw: { width: 40, height: 50, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const cropped = await normaliseEncodedFrame(bannered);
    expect([cropped.mime, cropped.width, cropped.height, cropped.bannerCropped]).toEqual(['image/png', 40, 40, true]);
    const stats = await sharp(cropped.bytes).stats();
    expect(stats.channels[0].max).toBeLessThan(20);

    await expect(normaliseEncodedFrame(jpeg.subarray(0, jpeg.length - 200))).rejects.toThrow(UnreadableFrameError);
    await expect(normaliseEncodedFrame(Buffer.from('not an image'))).rejects.toThrow(/not a readable image/);
  });

  it('turns RGB pixels into one gray channel and 16-bit pixels into a 16-bit PNG', async () => {
    const rgb = await normaliseRawFrame(new Uint8Array(noise(2, 8 * 8 * 3)), 8, 8, 3);
    expect((await sharp(rgb.bytes).metadata()).channels).toBe(1);
    const deep = await normaliseRawFrame(new Uint16Array(64).fill(40000), 8, 8, 1);
    const meta = await sharp(deep.bytes).metadata();
    expect([meta.channels, meta.depth]).toEqual([1, 'ushort']);
  });
});
