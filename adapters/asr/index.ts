export { createTranscriberFromConfig, resolveAsrEngine, type AsrConfig, type TranscriberFactoryOptions } from './factory.ts';
export { OpenAICompatibleTranscriber, OpenAITranscriber, type OpenAITranscriberOptions } from './OpenAITranscriber.ts';
export { detectPocketsphinx, parsePocketsphinxOutput, PocketsphinxTranscriber } from './PocketsphinxTranscriber.ts';
export { availableDecoders, ffmpegDecoder, opusDecoder } from './decoders.ts';
export { toAsrError } from './errors.ts';
