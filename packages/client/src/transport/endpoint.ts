import { InvalidArgumentError } from '@gfr/core';

import { HttpTransport } from './http-transport';
import { SageMakerTransport } from './sagemaker-transport';
import { EndpointTransport, TransportSettings } from './transport';

/**
 * The transport for an endpoint address: `http://host:port` (or https) for a server speaking
 * the container contract, `sagemaker:NAME` for a SageMaker endpoint in the default region, or
 * an endpoint ARN (`arn:aws:sagemaker:REGION:ACCOUNT:endpoint/NAME`), whose region is used.
 */
export function transportForEndpoint(
  endpoint: string,
  settings: TransportSettings & { region?: string } = {},
): EndpointTransport {
  if (/^https?:\/\//i.test(endpoint)) return new HttpTransport({ ...settings, url: endpoint });

  const arn = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):\d{12}:endpoint\/([A-Za-z0-9-]+)$/i.exec(
    endpoint,
  );
  if (arn) {
    return new SageMakerTransport({ ...settings, region: arn[1], endpointName: arn[2] });
  }
  const named = /^sagemaker:(?:\/\/)?([A-Za-z0-9](?:-*[A-Za-z0-9]){0,62})$/.exec(endpoint);
  if (named) return new SageMakerTransport({ ...settings, endpointName: named[1] });

  throw new InvalidArgumentError(
    `endpoint "${endpoint}" is neither http(s)://host:port, sagemaker:NAME nor an endpoint ARN`,
  );
}
