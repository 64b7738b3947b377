import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import sharp from 'sharp';
import { DecodeBusyError, MAX_WAITING_REQUESTS, requestDecodes } from '../../platform/images/decode-slots';
import {
  ImageTooLargeError,
  UnsupportedImageError,
  admitEncodedImage,
  decodeLimits,
} from '../../platform/images/image-limits';
import type { Logger } from '../../platform/logger';
import type { ApiContext, RequestInfo } from '../context';
import { ErrorCode, PasswordChangeRequiredError } from '../errors';

const MIN_SIZE = 16;
const MAX_SIZE = 1024;

const STATUS_OF: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.PASSWORD_CHANGE_REQUIRED]: 403,
};

/**
 * GET /frames/:id.png — a frame's image for the same authenticated, clinic-scoped users as the
 * GraphQL API (READ_FRAMES), as PNG, optionally scaled to fit `?size=N` px. The data layer audits
 * every image served (READ_FRAME_IMAGE). A frame of another clinic is 404 like a missing one. A
 * stored image above IMAGE_MAX_MEGAPIXELS (possible only for rows imported before the limit) is
 * 422, unread and unaudited; when every decode slot is busy and the queue is full the answer is
 * 503 with Retry-After.
 */
export function frameImageHandler(deps: { createContext(r: RequestInfo): Promise<ApiContext>; log: Logger }) {
  return async (req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      const ctx = await deps.createContext({
        authorization: req.headers.authorization,
        address: req.ip ?? 'unknown',
        requestId: res.locals.requestId as string,
      });
      if (ctx.access.authenticated && ctx.access.principal.mustChangePassword) throw new PasswordChangeRequiredError();
      const size = parseSize(req.query.size);
      const id = String(req.params.id);
      const png = await ctx.data.frameImage(id, size, (image) => {
        admitEncodedImage(image.bytes);
        return image.mime === 'image/png' && size === undefined
          ? Promise.resolve(image.bytes)
          : requestDecodes.run(() => toGrayscalePng(image.bytes, size), { maxWaiting: MAX_WAITING_REQUESTS });
      });
      await ctx.data.flushAudit(); // the read is on record before the image leaves
      res.type('image/png').send(png);
    } catch (error) {
      if (error instanceof ImageTooLargeError || error instanceof UnsupportedImageError) {
        res.status(422).json({
          error: { code: 'UNPROCESSABLE_IMAGE', message: `this frame's image cannot be shown: ${error.message}` },
        });
        return;
      }
      if (error instanceof DecodeBusyError) {
        res
          .status(503)
          .setHeader('Retry-After', '1')
          .json({ error: { code: 'BUSY', message: 'too many images are being prepared; try again shortly' } });
        return;
      }
      const code = error instanceof GraphQLError ? String(error.extensions.code) : undefined;
      if (code && STATUS_OF[code]) {
        res.status(STATUS_OF[code]).json({ error: { code, message: error instanceof Error ? error.message : '' } });
        return;
      }
      deps.log.error({ err: error, requestId: res.locals.requestId }, 'frame image failed');
      res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'internal error' } });
    }
  };
}

/** Incubator frames are grayscale: one channel keeps thumbnails small. */
function toGrayscalePng(bytes: Buffer, size: number | undefined): Promise<Buffer> {
  return sharp(bytes, decodeLimits())
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

function parseSize(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= MIN_SIZE && n <= MAX_SIZE)) {
    throw new GraphQLError(`size must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  return n;
}
