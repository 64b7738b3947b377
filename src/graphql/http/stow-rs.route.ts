import type { Request, Response } from 'express';
import type { DeviceCredential } from '../../entities';
import type { StowInstance, StowService } from '../../ingest/dicom/stow.service';
import type { ScoringAfterImport } from '../../jobs/scoring-after-import';
import type { StowLimits } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { deviceImportGrant } from '../access/clinic-access';
import { mediaType, MultipartError, splitMultipart } from './multipart-related';

export interface StowRsDeps {
  devices: { authenticate(token: string): Promise<DeviceCredential | null> };
  stow: Pick<StowService, 'store'>;
  /** Scoring of the active-cycle embryos a request gave new frames (as after a scheduled import). */
  scoringAfterImport: Pick<ScoringAfterImport, 'request'>;
  limits: StowLimits;
  focalPlaneTag?: string;
  log: Logger;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /dicomweb/studies — DICOMweb STOW-RS (PS3.18 §10.5): a multipart/related body of
 * application/dicom instances from a device holding a credential of one clinic, stored in that
 * clinic through the DICOM importer (one import run per request). The answer is the standard
 * DICOM JSON response: ReferencedSOPSequence (0008,1199) for stored instances (a re-sent one
 * included), FailedSOPSequence (0008,1198) with a FailureReason, an ErrorComment and the whole
 * reason (private element 0009,1001 of creator "AMSNET STOW") for the others; 200 when all were stored, 202 when some were, 409 when none was. Before any
 * instance is read: 401 without a valid credential, 415 for another media type (the DICOM JSON
 * metadata + bulk data form included), 413 past STOW_MAX_MEGABYTES or STOW_MAX_INSTANCES.
 * When the request stored new frames for embryos of active cycles, scoring of exactly those embryos
 * is requested before the answer, as after a scheduled import (always: a pushing device is the
 * clinic's live feed); a request that stored nothing new asks for nothing.
 */
export function stowRsHandler(deps: StowRsDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const requestId = res.locals.requestId as string;
    try {
      const device = await authenticate(deps, req.headers.authorization);
      const { params } = checkMediaType(req.headers['content-type']);
      const body = await readBody(req, deps.limits.maxBytes);
      let parts;
      try {
        parts = splitMultipart(body, params.boundary ?? '', deps.limits.maxInstances);
      } catch (error) {
        if (error instanceof MultipartError) throw new HttpProblem(400, error.message);
        throw error;
      }
      if (parts.length === 0) throw new HttpProblem(400, 'the request holds no instance');
      if (parts.length > deps.limits.maxInstances)
        throw new HttpProblem(
          413,
          `more than ${deps.limits.maxInstances} instances in one request (STOW_MAX_INSTANCES)`,
        );
      const instances = parts.map((part) => {
        const type = part.headers['content-type'] ? mediaType(part.headers['content-type']).type : 'application/dicom';
        return {
          bytes: part.body,
          refused: type === 'application/dicom' ? undefined : `part is ${type}, not application/dicom`,
        };
      });
      const grant = deviceImportGrant(device.clinicId, { userId: null, requestId });
      const embryosWithNewFrames = new Set<string>();
      const result = await deps.stow.store(instances, {
        grant,
        focalPlaneTag: deps.focalPlaneTag,
        sourceLabel: `STOW-RS from device "${device.name}" (${device.id}), request ${requestId}`,
        onFramesStored: (embryoId) => embryosWithNewFrames.add(embryoId),
      });
      const stored = result.instances.filter((i) => i.outcome !== 'failed').length;
      const status = stored === result.instances.length ? 200 : stored > 0 ? 202 : 409;
      const requestLog = deps.log.child({ requestId, deviceCredentialId: device.id, clinicId: device.clinicId });
      // the instances are stored whatever happens here: a failed request for scoring is logged, the nightly run catches up
      const scoringRunId = await deps.scoringAfterImport
        .request(grant, embryosWithNewFrames, requestLog)
        .catch((error: unknown) => {
          requestLog.error({ err: error }, 'STOW-RS: scoring after the import could not be requested');
          return null;
        });
      requestLog.info({ instances: parts.length, stored, scoringRunId }, 'STOW-RS request');
      res
        .status(status)
        .type('application/dicom+json')
        .send(JSON.stringify(stowResponse(result.instances)));
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="dicomweb"');
        res.status(error.status).json({ error: { message: error.message } });
        return;
      }
      deps.log.error({ err: error, requestId }, 'STOW-RS request failed');
      res.status(500).json({ error: { message: 'internal error' } });
    }
  };
}

async function authenticate(deps: StowRsDeps, header: string | undefined): Promise<DeviceCredential> {
  const token = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
  if (!token) throw new HttpProblem(401, 'a device credential is required: Authorization: Bearer <token>');
  const device = await deps.devices.authenticate(token);
  if (!device) throw new HttpProblem(401, 'unknown or revoked device credential');
  return device;
}

function checkMediaType(header: string | undefined) {
  const parsed = mediaType(header);
  if (parsed.type !== 'multipart/related' || (parsed.params.type ?? '').toLowerCase() !== 'application/dicom')
    throw new HttpProblem(
      415,
      'send multipart/related; type="application/dicom" (DICOM JSON/XML metadata with bulk data is not supported)',
    );
  if (!parsed.params.boundary) throw new HttpProblem(400, 'the Content-Type has no boundary');
  return parsed;
}

/** Reads the body up to `maxBytes`; refuses a larger one by its Content-Length or as it arrives. */
function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpProblem(413, `request body larger than ${maxBytes} bytes (STOW_MAX_MEGABYTES)`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume(); // drain, so the answer reaches the client
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      length += chunk.length;
      if (length > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, length));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** The private block (0009,10xx) "AMSNET STOW" that carries the whole failure reason of an instance. */
const PRIVATE_CREATOR = 'AMSNET STOW';
const PRIVATE_CREATOR_TAG = '00090010';
export const FULL_REASON_TAG = '00091001';

/** The STOW-RS response data set in DICOM JSON (PS3.18 F.2). */
export function stowResponse(instances: StowInstance[]): DicomJson {
  const ref = (i: StowInstance): DicomJson => ({
    '00081150': { vr: 'UI', ...(i.sopClassUid ? { Value: [i.sopClassUid] } : {}) },
    '00081155': { vr: 'UI', ...(i.sopInstanceUid ? { Value: [i.sopInstanceUid] } : {}) },
  });
  const referenced = instances.filter((i) => i.outcome !== 'failed').map(ref);
  const failed = instances
    .filter((i) => i.outcome === 'failed')
    .map((i) => ({
      ...ref(i),
      '00081197': { vr: 'US', Value: [i.failureReason] },
      // ErrorComment is LO (64 characters); the whole reason goes in a private LT element
      '00000902': { vr: 'LO', Value: [(i.reason ?? '').slice(0, 64)] },
      [PRIVATE_CREATOR_TAG]: { vr: 'LO', Value: [PRIVATE_CREATOR] },
      [FULL_REASON_TAG]: { vr: 'LT', Value: [(i.reason ?? '').slice(0, 10240)] },
    }));
  const response: DicomJson = {};
  if (referenced.length > 0) response['00081199'] = { vr: 'SQ', Value: referenced };
  if (failed.length > 0) response['00081198'] = { vr: 'SQ', Value: failed };
  return response;
}
