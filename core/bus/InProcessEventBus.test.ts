import { eventBusContract } from './eventBus.contract.ts';
import { InProcessEventBus } from './InProcessEventBus.ts';

eventBusContract('InProcessEventBus', () => new InProcessEventBus());
