// Writes the S3 sample objects (events/s3/objects/<bucket>/<key>, from test/fixtures/s3/) and the SQS-wrapped notifications pointing at them (events/s3/*.json), reproducibly.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { s3Notification, sqsEvent } from '#test/helpers/s3-objects.ts';

const OUT = 'events/s3';
const FIXTURES = 'test/fixtures/s3';
const SAMPLE_BUCKET = 'logferry-s3-samples';
const LOGS = 'AWSLogs/123456789012';
const DAY = '2025/11/20';

interface Sample {
  fixture: string;
  key: string;
  /** AWS gzips every family's objects but S3 server access logs. */
  gzip: boolean;
}

const SAMPLES: Record<string, Sample> = {
  alb: {
    fixture: 'alb.log',
    key: `${LOGS}/elasticloadbalancing/us-east-1/${DAY}/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_20251120T1005Z_10.0.1.15_2fj7ahb1.log.gz`,
    gzip: true,
  },
  nlb: {
    fixture: 'nlb.log',
    key: `${LOGS}/elasticloadbalancing/us-east-1/${DAY}/123456789012_elasticloadbalancing_us-east-1_net.shop-nlb.c6e77e28c25b2234_20251120T1005Z_172.31.10.5_8kq2m1za.log.gz`,
    gzip: true,
  },
  cloudfront: {
    fixture: 'cloudfront.log',
    key: 'cloudfront/E2EXAMPLE1ABCD.2025-11-20-10.9a8b7c6d.gz',
    gzip: true,
  },
  's3-access': {
    fixture: 's3-access.log',
    key: 's3-access/2025-11-20-10-15-30-0A1B2C3D4E5F6789',
    gzip: false,
  },
  'vpc-flow': {
    fixture: 'vpc-flow.log',
    key: `${LOGS}/vpcflowlogs/us-east-1/${DAY}/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20251120T1005Z_3a4b5c6d.log.gz`,
    gzip: true,
  },
  cloudtrail: {
    fixture: 'cloudtrail.json',
    key: `${LOGS}/CloudTrail/us-east-1/${DAY}/123456789012_CloudTrail_us-east-1_20251120T1005Z_Ab1Cd2Ef3Gh4Ij5K.json.gz`,
    gzip: true,
  },
  waf: {
    fixture: 'waf.log',
    key: `${LOGS}/WAFLogs/us-east-1/shop-acl/${DAY}/10/05/123456789012_waflogs_us-east-1_shop-acl_20251120T1005Z_5e6f7a8b.log.gz`,
    gzip: true,
  },
};

/** A single-part upload's ETag is the MD5 of its bytes: the notification names the object replayed. */
function etag(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

function writeObject(key: string, bytes: Buffer): string {
  const file = join(OUT, 'objects', SAMPLE_BUCKET, key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return etag(bytes);
}

function writeEvent(name: string, event: unknown): void {
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(event, null, 2)}\n`);
}

rmSync(join(OUT, 'objects'), { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const notifications: Record<string, string> = {};
for (const [name, s] of Object.entries(SAMPLES)) {
  const text = readFileSync(join(FIXTURES, s.fixture));
  // gzipSync writes no timestamp: the same fixture always makes the same object and ETag.
  const bytes = s.gzip ? gzipSync(text) : text;
  notifications[name] = s3Notification(SAMPLE_BUCKET, s.key, writeObject(s.key, bytes));
  writeEvent(name, sqsEvent([notifications[name]!]));
}

// A batch whose second object is a truncated gzip: dead-lettered with its reason, the rest acknowledged.
const corruptKey = SAMPLES.alb!.key.replace('2fj7ahb1', 'truncated');
const alb = gzipSync(readFileSync(join(FIXTURES, SAMPLES.alb!.fixture)));
const corrupt = writeObject(corruptKey, alb.subarray(0, Math.floor(alb.length / 2)));
writeEvent(
  'corrupt-with-good',
  sqsEvent([
    notifications.waf!,
    s3Notification(SAMPLE_BUCKET, corruptKey, corrupt),
    notifications.nlb!,
  ]),
);
console.log(`wrote ${Object.keys(SAMPLES).length + 1} events and their objects under ${OUT}/`);
