// The I/O the S3 source needs, behind small interfaces: streaming GetObject, and the queue resume messages go to.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ObjectReadError } from '#shared/errors.ts';

/** An object's body as it streams in. */
export interface ObjectBody {
  body: AsyncIterable<Uint8Array>;
  etag?: string;
}

/** Reads announced objects; a test or a dry run hands in one backed by files. */
export interface ObjectStore {
  /**
   * Streams the object from byte `start` (a ranged GET) or from its start. Rejects with an error
   * whose `failure` is `missing` (deleted since it was announced) or `superseded` (overwritten:
   * its etag no longer matches); any other rejection may pass and is retried.
   */
  get(
    ref: { bucket: string; key: string; versionId?: string; etag?: string },
    start?: number,
  ): Promise<ObjectBody>;
}

/** Sends a resume message (an object to go on with) to the queue the function reads. */
export interface ResumeQueue {
  send(body: string): Promise<void>;
}

/**
 * GetObject, streamed. The notification's version or etag pins the object it announced: a key
 * written again since then is `superseded` (its own notification reads the new object).
 *
 * @example
 * const store = createS3ObjectStore(createS3Client({ region }));
 * const { body } = await store.get({ bucket, key, etag });
 */
export function createS3ObjectStore(client: S3Client): ObjectStore {
  return {
    async get(ref, start) {
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket: ref.bucket,
            Key: ref.key,
            VersionId: ref.versionId,
            // HTTP wants the entity tag quoted; notifications carry it bare.
            IfMatch: ref.versionId || !ref.etag ? undefined : `"${ref.etag.replace(/"/g, '')}"`,
            Range: start ? `bytes=${start}-` : undefined,
          }),
        );
        const body = out.Body as AsyncIterable<Uint8Array> | undefined;
        if (!body) throw new Error(`s3://${ref.bucket}/${ref.key}: GetObject returned no body`);
        return { body, etag: out.ETag };
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode;
        if (e.name === 'NoSuchKey' || e.name === 'NoSuchVersion' || status === 404)
          throw new ObjectReadError(`s3://${ref.bucket}/${ref.key} no longer exists`, 'missing', {
            cause: err,
          });
        if (e.name === 'PreconditionFailed' || status === 412)
          throw new ObjectReadError(
            `s3://${ref.bucket}/${ref.key} was overwritten since it was announced`,
            'superseded',
            { cause: err },
          );
        throw err;
      }
    },
  };
}

/**
 * SendMessage to the function's own queue.
 *
 * @example
 * const resume = createSqsResumeQueue(new SQSClient({ region }), process.env.S3_QUEUE_URL!);
 */
export function createSqsResumeQueue(client: SQSClient, queueUrl: string): ResumeQueue {
  return {
    async send(body) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
