import {
  defaultMarketplaceConfig,
  expectedImpressions,
  resolveMarketplaceConfig,
  scaleMarketplaceConfig,
} from './config';
import { InvalidMarketplaceConfigError } from './errors';

test('missing fields come from the defaults, channel mix merged share by share', () => {
  const config = resolveMarketplaceConfig({ users: 50, channelMix: { explore: 0.5 } });

  expect(config.users).toBe(50);
  expect(config.items).toBe(defaultMarketplaceConfig.items);
  expect(config.channelMix).toEqual({ ...defaultMarketplaceConfig.channelMix, explore: 0.5 });
});

test('the default config is sized for 300k–500k impressions', () => {
  const impressions = expectedImpressions(defaultMarketplaceConfig);

  expect(impressions).toBeGreaterThan(300_000);
  expect(impressions).toBeLessThan(500_000);
});

test.each([
  [{ users: 0 }, 'users = 0'],
  [{ feedSize: 2.5 }, 'feedSize = 2.5'],
  [{ items: 10, categories: 24 }, 'items = 10'],
  [{ newItemShare: 1.5 }, 'newItemShare = 1.5'],
  [{ start: 'March 1st' }, 'start = "March 1st"'],
  [{ start: '2024-13-45T00:00:00Z' }, 'start = "2024-13-45T00:00:00Z"'],
  [{ channelMix: { exploit: -1 } }, 'channelMix.exploit = -1'],
  [{ channelMix: { exploit: 0, explore: 0, popularity: 0, recent: 0 } }, 'channelMix = '],
])('an invalid config %j is rejected naming the field and value', (input, expected) => {
  expect(() => resolveMarketplaceConfig(input)).toThrow(InvalidMarketplaceConfigError);
  expect(() => resolveMarketplaceConfig(input)).toThrow(expected);
});

test('an unknown channel in the mix is rejected by name', () => {
  const input = { channelMix: { trending: 1 } } as unknown as Parameters<
    typeof resolveMarketplaceConfig
  >[0];

  expect(() => resolveMarketplaceConfig(input)).toThrow('channelMix.trending');
});

test('scaling sizes users in proportion and the catalogue by the square root', () => {
  const target = expectedImpressions(defaultMarketplaceConfig) * 4;
  const scaled = scaleMarketplaceConfig(target);

  expect(scaled.users).toBe(defaultMarketplaceConfig.users * 4);
  expect(scaled.items).toBe(defaultMarketplaceConfig.items * 2);
  expect(expectedImpressions(scaled)).toBeCloseTo(target, -1);
  expect(scaled.days).toBe(defaultMarketplaceConfig.days);
});

test('scaling down keeps enough items to fill feeds in every category', () => {
  const scaled = scaleMarketplaceConfig(1000);

  expect(scaled.items).toBeGreaterThanOrEqual(scaled.categories);
  expect(scaled.items).toBeGreaterThanOrEqual(scaled.feedSize * 2);
  expect(() => scaleMarketplaceConfig(0)).toThrow('targetImpressions = 0');
});
