export { attachIngestServer, type IngestServer, type IngestServerDeps } from './server.ts';
export { ingestPipelineFactory, type IngestPipeline, type IngestPipelineDeps, type IngestPipelineHooks } from './pipeline.ts';
export * from './protocol.ts';
