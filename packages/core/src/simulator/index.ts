/**
 * The marketplace simulator: a seeded, learnable e-commerce marketplace that writes gfr's
 * canonical tables and knows the true click and purchase probabilities behind them.
 */
export { Catalogue, type SimulatedItem, catalogueShape } from './catalogue';
export { CandidateChannels, type CandidateSource } from './channels';
export {
  type CandidateChannel,
  type ChannelMix,
  type MarketplaceConfig,
  type MarketplaceConfigInput,
  candidateChannels,
  defaultMarketplaceConfig,
  expectedImpressions,
  resolveMarketplaceConfig,
  scaleMarketplaceConfig,
} from './config';
export {
  InvalidFeedError,
  InvalidMarketplaceConfigError,
  SimulationOutputError,
  UnknownSimulatedEntityError,
} from './errors';
export { GroundTruth, clickModel, purchaseModel } from './ground-truth';
export { type ClickOutcome, type LoggedRequest, Marketplace } from './marketplace';
export { ChannelMixPolicy, type FeedPolicy, type FeedRequest, type ShownItem } from './policy';
export {
  Population,
  type SimulatedUser,
  acquisitionChannels,
  ageBands,
  devices,
  geographies,
  populationShape,
} from './population';
export { CumulativeWeights, SeededRandom } from '../random';
export {
  type SimulationOptions,
  type SimulationProgress,
  type SimulationReport,
  groundTruthFileName,
  simulateMarketplace,
} from './simulate';
export type { ClickRate, ConversionRate, SimulationSummary } from './summary';
