import { describeRealLog } from '../../test-support/real-log';

describeRealLog({ source: 'rees46', file: 'rees46-multicategory/2019-Oct_head.csv' });
