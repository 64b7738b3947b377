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
  pixelRepresentation: 'x00280103',
  containerIdentifier: 'x00400512',
  zOffsetInSlideCoordinateSystem: 'x0040074a',
  planePositionSlideSequence: 'x0048021a',
  frameAcquisitionDateTime: 'x00189074',
  frameContentSequence: 'x00209111',
  sharedFunctionalGroupsSequence: 'x52009229',
  perFrameFunctionalGroupsSequence: 'x52009230',
  pixelData: 'x7fe00010',
} as const;

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** Transfer syntaxes whose pixel data the importer decodes. */
export const SUPPORTED_TRANSFER_SYNTAXES = new Set([IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, JPEG_BASELINE]);

/** Names for the report when a file uses a syntax the importer cannot decode. */
export const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

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
