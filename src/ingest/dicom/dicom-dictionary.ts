/** The DICOM attributes, transfer syntaxes and SOP classes the importer understands (dicom-parser tag keys). */
export const TAG = {
  transferSyntaxUid: 'x00020010',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  contentDate: 'x00080023',
  acquisitionDate: 'x00080022',
  acquisitionTime: 'x00080032',
  contentTime: 'x00080033',
  acquisitionDateTime: 'x0008002a',
  timezoneOffsetFromUtc: 'x00080201',
  seriesDescription: 'x0008103e',
  patientId: 'x00100020',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  seriesNumber: 'x00200011',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  redPaletteDescriptor: 'x00281101',
  greenPaletteDescriptor: 'x00281102',
  bluePaletteDescriptor: 'x00281103',
  redPaletteData: 'x00281201',
  greenPaletteData: 'x00281202',
  bluePaletteData: 'x00281203',
  segmentedRedPaletteData: 'x00281221',
  segmentedGreenPaletteData: 'x00281222',
  segmentedBluePaletteData: 'x00281223',
  containerIdentifier: 'x00400512',
  zOffsetInSlideCoordinateSystem: 'x0040074a',
  planePositionSlideSequence: 'x0048021a',
  frameAcquisitionDateTime: 'x00189074',
  frameContentSequence: 'x00209111',
  sharedFunctionalGroupsSequence: 'x52009229',
  perFrameFunctionalGroupsSequence: 'x52009230',
  extendedOffsetTable: 'x7fe00001',
  pixelData: 'x7fe00010',
} as const;

/**
 * How the pixel data of a transfer syntax is encoded, i.e. which decoder the importer uses; null
 * for syntaxes it refuses by name (video, JPEG XL, JPIP references, retired JPEG processes).
 */
export type PixelEncoding = 'native' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'htj2k';

export interface TransferSyntax {
  name: string;
  encoding: PixelEncoding | null;
  /** Explicit VR Big Endian: multi-byte native pixel values are big-endian. */
  bigEndian?: true;
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

export const TRANSFER_SYNTAXES: Record<string, TransferSyntax> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  [EXPLICIT_VR_LITTLE_ENDIAN]: { name: 'Explicit VR Little Endian', encoding: 'native' },
  [DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN]: { name: 'Deflated Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native', bigEndian: true },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': {
    name: 'JPEG Lossless, First-Order Prediction (Process 14, SV1)',
    encoding: 'jpeg-lossless',
  },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 (Lossless Only)', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.202': { name: 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', encoding: 'htj2k' },
  // refused: named so the report says what the file is
  '1.2.840.10008.1.2.4.92': { name: 'JPEG 2000 Part 2 Multi-component (Lossless Only)', encoding: null },
  '1.2.840.10008.1.2.4.93': { name: 'JPEG 2000 Part 2 Multi-component', encoding: null },
  '1.2.840.10008.1.2.4.94': { name: 'JPIP Referenced (pixel data not in the file)', encoding: null },
  '1.2.840.10008.1.2.4.95': { name: 'JPIP Referenced Deflate (pixel data not in the file)', encoding: null },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile video', encoding: null },
  '1.2.840.10008.1.2.4.101': { name: 'MPEG2 High Profile video', encoding: null },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 video', encoding: null },
  '1.2.840.10008.1.2.4.103': { name: 'MPEG-4 AVC/H.264 BD-compatible video', encoding: null },
  '1.2.840.10008.1.2.4.104': { name: 'MPEG-4 AVC/H.264 2D video', encoding: null },
  '1.2.840.10008.1.2.4.105': { name: 'MPEG-4 AVC/H.264 3D video', encoding: null },
  '1.2.840.10008.1.2.4.106': { name: 'MPEG-4 AVC/H.264 Stereo video', encoding: null },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile video', encoding: null },
  '1.2.840.10008.1.2.4.108': { name: 'HEVC/H.265 Main 10 Profile video', encoding: null },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', encoding: null },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', encoding: null },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', encoding: null },
  '1.2.840.10008.1.2.4.204': { name: 'High-Throughput JPEG 2000 Part 2 Multi-component', encoding: null },
  '1.2.840.10008.1.2.8.1': { name: 'Deflated Image Frame Compression', encoding: null },
};

/** The syntax of a UID; the retired JPEG processes (…4.52–.56, .58–.66) are named and refused. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  const known = TRANSFER_SYNTAXES[uid];
  if (known) return known;
  const jpeg = /^1\.2\.840\.10008\.1\.2\.4\.(\d+)$/.exec(uid);
  const n = jpeg ? Number(jpeg[1]) : 0;
  if ((n >= 52 && n <= 56) || (n >= 58 && n <= 66))
    return { name: `retired JPEG process (1.2.840.10008.1.2.4.${n})`, encoding: null };
  return undefined;
}

/** Image SOP classes that carry embryo frames: VL microscopy and secondary capture. */
export const IMAGE_SOP_CLASSES: Record<string, string> = {
  '1.2.840.10008.5.1.4.1.1.77.1.2': 'VL Microscopic Image',
  '1.2.840.10008.5.1.4.1.1.77.1.3': 'VL Slide-Coordinates Microscopic Image',
  '1.2.840.10008.5.1.4.1.1.77.1.6': 'VL Whole Slide Microscopy Image',
  '1.2.840.10008.5.1.4.1.1.7': 'Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.1': 'Multi-frame Single Bit Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.2': 'Multi-frame Grayscale Byte Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.3': 'Multi-frame Grayscale Word Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.4': 'Multi-frame True Color Secondary Capture Image',
};
