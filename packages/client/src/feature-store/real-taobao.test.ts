import { describeRealLog } from '../../test-support/real-log';

describeRealLog({ source: 'taobao', file: 'taobao-userbehavior/UserBehavior_head.csv' });
