export { attachLiveServer, type LiveServer, type LiveServerDeps, type LiveViewer } from './server.ts';
export { toLiveMessage, PRESENCE_LIST_MAX, type LiveClientMessage, type LiveMessage } from './protocol.ts';
