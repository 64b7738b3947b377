import { parseDicom } from 'dicom-parser';

export interface SopIdentity {
  sopClassUid: string;
  sopInstanceUid: string;
}

/**
 * The SOP class and instance UIDs of a Part-10 file from its file meta information (group 0002,
 * always explicit VR little endian), without parsing the data set: what a STOW-RS answer names
 * each instance by, even one the importer then refuses. Null when the bytes are not Part 10.
 */
export function sopIdentity(bytes: Uint8Array): SopIdentity | null {
  if (bytes.length < 132 || Buffer.from(bytes.subarray(128, 132)).toString('latin1') !== 'DICM') return null;
  try {
    const ds = parseDicom(bytes, { untilTag: 'x00020003' });
    const sopClassUid = ds.string('x00020002')?.replace(/\0/g, '').trim();
    const sopInstanceUid = ds.string('x00020003')?.replace(/\0/g, '').trim();
    return sopClassUid && sopInstanceUid ? { sopClassUid, sopInstanceUid } : null;
  } catch {
    return null;
  }
}
