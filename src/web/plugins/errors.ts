// One place maps errors to HTTP: RFC 9457 problem details for the JSON API,
// a friendly page for browsers; never a stack trace to a client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type DomainErrorCode, type FieldIssue } from '../../domain/errors.ts';

const statusOf: Record<DomainErrorCode, number> = {
  validation: 400,
  currency_mismatch: 400,
  missing_rate: 422,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  sold_out: 409,
  unprocessable: 422,
  unauthorized: 401,
  forbidden: 403,
  too_many: 429,
};

const titles: Record<number, string> = {
  400: 'Your request has invalid fields',
  401: 'Authentication required',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Cannot be processed',
  429: 'Too many requests',
  500: 'Something went wrong',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldIssue[];
}

/**
 * The URL as requested, not the route's pattern: every JSON route's pattern
 * begins with the same literal prefix, and `routeOptions` builds an object on
 * each read, which a refusal repeated hundreds of times a second can spare.
 */
export function wantsJson(req: FastifyRequest): boolean {
  const url = req.url;
  return url.startsWith('/api/') || url.startsWith('/healthz') || url.startsWith('/readyz');
}

function problemOf(req: FastifyRequest, status: number, detail: string, errors?: FieldIssue[], code?: string): Problem {
  return {
    type: `urn:lantern:problem:${code ?? status}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: req.url,
    ...(errors && errors.length > 0 && { errors }),
  };
}

function sendJsonProblem(reply: FastifyReply, status: number, json: string) {
  return reply.code(status).type('application/problem+json').send(json);
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, status: number, detail: string, errors?: FieldIssue[], code?: string) {
  const problem = problemOf(req, status, detail, errors, code);
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  if (wantsJson(req)) return sendJsonProblem(reply, status, JSON.stringify(problem));
  return reply.code(status).page('pages/error', { title: problem.title, problem });
}

/**
 * The JSON of refusals already given, by the refusal and the URL it answered.
 * A sold-out event refuses every buyer with the same error object (see
 * soldOutRefusal), hundreds of times a second in a rush: its answer is
 * written once, which saves ~6 µs of each refusal's ~90.
 */
const answered = new WeakMap<DomainError, { instance: string; body: string }>();

/** A domain refusal (sold out, not found) as its problem. */
export function sendDomainProblem(req: FastifyRequest, reply: FastifyReply, err: DomainError) {
  const status = statusOf[err.code];
  // The 401's header and the HTML page are sendProblem's.
  if (status === 401 || !wantsJson(req)) return sendProblem(req, reply, status, err.message, [...err.issues], err.code);
  let memo = answered.get(err);
  if (memo === undefined || memo.instance !== req.url) {
    memo = { instance: req.url, body: JSON.stringify(problemOf(req, status, err.message, [...err.issues], err.code)) };
    answered.set(err, memo);
  }
  return sendJsonProblem(reply, status, memo.body);
}

/** "/donor/email" (a schema path) → "donor.email". */
function fieldOf(instancePath: string, context: string | undefined): string {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (path) return path;
  return context === 'headers' ? 'headers' : 'body';
}

function unrecognisedKeys(message: string): string[] {
  const m = /Unrecognized keys?: (.*)/i.exec(message);
  return m?.[1] ? m[1].split(',').map((k) => k.trim().replace(/^"|"$/g, '')) : [];
}

async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | DomainError | Error, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors: FieldIssue[] = [];
      for (const v of err.validation) {
        const keys = unrecognisedKeys(v.message ?? '');
        const base = fieldOf(v.instancePath, err.validationContext);
        if (keys.length > 0) {
          for (const k of keys) errors.push({ field: base === 'body' ? k : `${base}.${k}`, message: 'Unknown field' });
        } else {
          errors.push({ field: base, message: v.message ?? 'Invalid value' });
        }
      }
      return sendProblem(req, reply, 400, 'Some fields are invalid; see errors.', errors, 'validation');
    }
    if (err instanceof DomainError) return sendDomainProblem(req, reply, err);
    if ((err as FastifyError).code?.startsWith('FST_CSRF_')) {
      return sendProblem(
        req,
        reply,
        403,
        'This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and send it again.',
        undefined,
        'csrf',
      );
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return sendProblem(req, reply, status, err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(req, reply, 500, 'An unexpected error occurred. It has been logged.');
  });

  app.setNotFoundHandler((req, reply) => sendProblem(req, reply, 404, `Nothing is at ${req.url.split('?')[0]}.`));
}

export default fp(errorsPlugin, { name: 'errors', dependencies: ['views'] });
