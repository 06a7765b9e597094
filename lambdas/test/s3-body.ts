/** A GetObject body as the SDK's stream mixin exposes it, for mocked S3 responses. */
export function s3Body(content: string | Uint8Array) {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return {
    transformToString: async () => bytes.toString('utf8'),
    transformToByteArray: async () => new Uint8Array(bytes),
  } as never;
}
