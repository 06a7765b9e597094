/** The few S3 reads the handlers need, each following pagination to the end. */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
}

/**
 * Every object under `prefix`, following `NextContinuationToken` until S3 says the listing is
 * complete (ListObjectsV2 returns at most 1,000 keys a page).
 */
export async function listAllObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const entry of page.Contents ?? []) {
      if (entry.Key) objects.push({ key: entry.Key, size: entry.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** An object's body as UTF-8 text. */
export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body ? await object.Body.transformToString('utf8') : '';
}

/** An object's body as bytes. */
export async function readObjectBytes(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
}
