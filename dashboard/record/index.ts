export { attachRecordServer, MAX_FRAME_BYTES, type RecordPipeline, type RecordServer, type RecordServerDeps, type RecordUser } from './server.ts';
export { recordPipelineFactory, type RecordPipelineDeps } from './pipeline.ts';
