// Encodes the readable subscription messages in test/fixtures/cloudwatch-logs into Lambda events in events/.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const SRC = 'test/fixtures/cloudwatch-logs';
const OUT = 'events/cloudwatch-logs';

/** A Lambda CloudWatch Logs event, as AWS delivers it. */
export function toAwslogsEvent(message: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } };
}

function write(name: string, event: unknown): void {
  writeFileSync(join(OUT, name), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`${OUT}/${name}`);
}

if (process.argv[1] && basename(process.argv[1]).startsWith('build-events')) {
  for (const file of readdirSync(SRC)
    .filter((f) => f.endsWith('.message.json'))
    .sort()) {
    const message = JSON.parse(readFileSync(join(SRC, file), 'utf8'));
    write(file.replace('.message.json', '.json'), toAwslogsEvent(message));
  }
  // Valid base64 of bytes that are not gzip: what a truncated or mangled delivery looks like.
  write('corrupt.json', {
    awslogs: { data: Buffer.from('this is not a gzip stream').toString('base64') },
  });
}
