// Browser code from npm packages that Lantern serves itself (no page loads a
// script from elsewhere): the qr-scanner library behind the camera button of
// the door check-in page.
//
// qr-scanner starts its decoder as a Worker made from a blob: URL, which our
// Content-Security-Policy refuses (workers may only come from 'self'). So the
// decoder's source is taken out of the library's worker module once, here,
// and served as an ordinary worker script; check-in.js hands the library a
// Worker built from that URL instead of the blob.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const packageDir = dirname(createRequire(import.meta.url).resolve('qr-scanner/package.json'));
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

/** The URLs pages use; the version in the path lets browsers keep the files for a year. */
export const qrScannerUrls = {
  library: `/assets/vendor/qr-scanner-${version}/qr-scanner.min.js`,
  worker: `/assets/vendor/qr-scanner-${version}/decoder-worker.js`,
} as const;

/**
 * The text of the template literal the worker module wraps in a Blob, with
 * its escapes resolved as JavaScript would. Only the escapes a minifier
 * writes into such a literal (\`, \$ and \\) are accepted; anything else —
 * an interpolation, another escape, a changed layout after an upgrade — is
 * refused rather than served half right.
 */
export function workerSource(module: string): string {
  const open = 'new Blob([`';
  const start = module.indexOf(open);
  if (start < 0) throw new Error('qr-scanner: the worker module has no Blob source');
  let out = '';
  for (let i = start + open.length; i < module.length; i++) {
    const c = module[i];
    if (c === '\\') {
      const next = module[i + 1];
      if (next !== '`' && next !== '$' && next !== '\\') throw new Error(`qr-scanner: unexpected escape \\${next ?? ''} in the worker source`);
      out += next;
      i += 1;
    } else if (c === '`') {
      if (module[i + 1] !== ']') throw new Error('qr-scanner: the worker source does not end as expected');
      return out;
    } else if (c === '$' && module[i + 1] === '{') {
      throw new Error('qr-scanner: the worker source interpolates a value');
    } else {
      out += c;
    }
  }
  throw new Error('qr-scanner: the worker source is not closed');
}

export default async function vendorAssets(app: FastifyInstance) {
  const library = readFileSync(join(packageDir, 'qr-scanner.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
  const worker = workerSource(readFileSync(join(packageDir, 'qr-scanner-worker.min.js'), 'utf8'));
  const cached = 'public, max-age=31536000, immutable';

  app.get(qrScannerUrls.library, { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', cached).send(library),
  );
  app.get(qrScannerUrls.worker, { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', cached).send(worker),
  );
}
