import type { Logger } from '../logger.ts';
import type { EventBus, EventHandler, MeetingEvent, MeetingEventType } from './EventBus.ts';

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler<any>>>();

  constructor(private readonly logger?: Logger) {}

  /**
   * Handlers run one after another and a failing handler is logged, not
   * rethrown: one broken subscriber (say, a Slack post) must not stop the
   * transcript from reaching the others.
   */
  async publish(event: MeetingEvent): Promise<void> {
    const targets = [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])];
    for (const handler of targets) {
      try {
        await handler(event);
      } catch (err) {
        this.logger?.error({ err, eventType: event.type }, 'event handler failed');
      }
    }
  }

  subscribe<T extends MeetingEventType>(type: T | '*', handler: EventHandler<any>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
