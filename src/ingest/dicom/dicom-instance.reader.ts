import type { DataSet } from 'dicom-parser';
import type { NormalisedFrame } from '../frames/frame-normaliser';
import { parseDicomDateAndTime, parseDicomDateTime } from './dicom-datetime';
import { IMAGE_SOP_CLASSES, TAG } from './dicom-dictionary';
import { DicomFileProblem, parseDicomFile, type ParseOptions } from './dicom-file';
import { frameLoaders } from './dicom-pixels';
import { errorText } from './error-text';
import { PixelDataError } from './pixel-data-error';

export interface DicomFrame {
  index: number;
  acquiredAt: Date | null;
  focalPlaneUm: number;
  /** Where the focal plane came from, for the report. */
  focalPlaneSource: 'ZOffsetInSlideCoordinateSystem' | 'private tag' | 'default 0 µm';
  load(): Promise<NormalisedFrame>;
}

export interface DicomInstance {
  sopInstanceUid: string;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Embryo label for a new embryo: SeriesDescription, else ContainerIdentifier, else "series N". */
  embryoLabel: string;
  frames: DicomFrame[];
}

export { DicomFileProblem } from './dicom-file';

export interface DicomReadOptions extends ParseOptions {
  /** Private tag (8 hex digits) holding the focal plane in µm when the standard attribute is absent. */
  focalPlaneTag?: string;
}

/**
 * Parses a DICOM Part-10 file into the identifiers the importer maps (PatientID → patient,
 * StudyInstanceUID → cycle, SeriesInstanceUID → embryo) and one loader per frame. Throws
 * DicomFileProblem for anything it cannot take: not DICOM, truncated, undecodable transfer syntax.
 */
export function readDicomInstance(bytes: Uint8Array, options: DicomReadOptions = {}): DicomInstance {
  const { ds, syntax } = parseDicomFile(bytes, options);
  const sopClass = (ds.string(TAG.sopClassUid) ?? '').trim();
  if (!IMAGE_SOP_CLASSES[sopClass]) {
    throw new DicomFileProblem(
      'skipped',
      `SOP class ${sopClass || '(none)'} is not a VL microscopy or secondary capture image`,
    );
  }
  const required = (tag: string, name: string) => {
    const value = ds.string(tag)?.trim();
    if (!value) throw new DicomFileProblem('failed', `missing ${name}`);
    return value;
  };
  const sopInstanceUid = required(TAG.sopInstanceUid, 'SOPInstanceUID (0008,0018)');
  const patientId = required(TAG.patientId, 'PatientID (0010,0020)');
  const studyInstanceUid = required(TAG.studyInstanceUid, 'StudyInstanceUID (0020,000D)');
  const seriesInstanceUid = required(TAG.seriesInstanceUid, 'SeriesInstanceUID (0020,000E)');

  let loaders: (() => Promise<NormalisedFrame>)[];
  try {
    loaders = frameLoaders(ds, syntax);
  } catch (error) {
    if (error instanceof PixelDataError) throw new DicomFileProblem('failed', error.message);
    throw new DicomFileProblem('failed', `unreadable pixel data: ${errorText(error)}`);
  }
  const frames = loaders.map((load, index) => ({ index, load, ...frameTimeAndPlane(ds, index, options) }));
  const label =
    ds.string(TAG.seriesDescription)?.trim() ||
    ds.string(TAG.containerIdentifier)?.trim() ||
    `series ${ds.string(TAG.seriesNumber)?.trim() ?? seriesInstanceUid}`;
  return { sopInstanceUid, patientId, studyInstanceUid, seriesInstanceUid, embryoLabel: label, frames };
}

/** Item 0 of a sequence, or of the frame's entry in a functional groups sequence. */
function item(ds: DataSet | undefined, tag: string, index = 0): DataSet | undefined {
  return ds?.elements[tag]?.items?.[index]?.dataSet;
}

function frameTimeAndPlane(
  ds: DataSet,
  index: number,
  options: DicomReadOptions,
): Pick<DicomFrame, 'acquiredAt' | 'focalPlaneUm' | 'focalPlaneSource'> {
  const zone = ds.string(TAG.timezoneOffsetFromUtc);
  const perFrame = item(ds, TAG.perFrameFunctionalGroupsSequence, index);
  const shared = item(ds, TAG.sharedFunctionalGroupsSequence);
  const frameTime = (group: DataSet | undefined) =>
    parseDicomDateTime(item(group, TAG.frameContentSequence)?.string(TAG.frameAcquisitionDateTime), zone);
  const acquiredAt =
    frameTime(perFrame) ??
    frameTime(shared) ??
    parseDicomDateTime(ds.string(TAG.acquisitionDateTime), zone) ??
    parseDicomDateAndTime(ds.string(TAG.acquisitionDate), ds.string(TAG.acquisitionTime), zone) ??
    parseDicomDateAndTime(ds.string(TAG.contentDate), ds.string(TAG.contentTime), zone);

  const zOffset = (group: DataSet | undefined) =>
    item(group, TAG.planePositionSlideSequence)?.floatString(TAG.zOffsetInSlideCoordinateSystem);
  const z = zOffset(perFrame) ?? zOffset(shared) ?? zOffset(ds) ?? ds.floatString(TAG.zOffsetInSlideCoordinateSystem);
  if (z !== undefined && Number.isFinite(z))
    return { acquiredAt, focalPlaneUm: Math.round(z), focalPlaneSource: 'ZOffsetInSlideCoordinateSystem' };
  const privateValue = options.focalPlaneTag ? privateNumber(ds, `x${options.focalPlaneTag}`) : undefined;
  if (privateValue !== undefined)
    return { acquiredAt, focalPlaneUm: Math.round(privateValue), focalPlaneSource: 'private tag' };
  // A single-plane capture without any focus information is the nominal (0 µm) plane.
  return { acquiredAt, focalPlaneUm: 0, focalPlaneSource: 'default 0 µm' };
}

/** A private attribute as a number: a decimal string (DS/IS/LO) or a binary FD/FL/SL/SS value. */
function privateNumber(ds: DataSet, tag: string): number | undefined {
  const element = ds.elements[tag];
  if (!element) return undefined;
  const text = Number(ds.string(tag)?.trim());
  if (element.vr === undefined || ['DS', 'IS', 'LO', 'SH', 'UN', 'UT', 'ST'].includes(element.vr)) {
    if (Number.isFinite(text) && ds.string(tag)?.trim()) return text;
  }
  if (element.length === 8) return ds.double(tag);
  if (element.length === 4) return element.vr === 'SL' ? ds.int32(tag) : ds.float(tag);
  if (element.length === 2) return element.vr === 'SS' ? ds.int16(tag) : ds.uint16(tag);
  return Number.isFinite(text) ? text : undefined;
}
