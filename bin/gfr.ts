/**
 * The CDK app: `npm run synth` (or `npx cdk synth|deploy`) runs this through cdk.json.
 * Configuration comes from context: `gfr:stage`, `gfr:config` (a JSON file of overrides),
 * `gfr:account` and `gfr:region`; see docs/deploy.md.
 */
import { App } from 'aws-cdk-lib';

import { loadConfig } from '../lib/config';
import { addGfrStacks } from '../lib/gfr-app';

const app = new App();
addGfrStacks(app, loadConfig(app.node));
app.synth();
