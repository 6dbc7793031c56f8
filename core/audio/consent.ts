import type { EventBus } from '../bus/EventBus.ts';
import type { Attendee } from '../types.ts';

/** Asked for every packet, so it must be a cheap synchronous lookup. */
export interface ConsentGate {
  isOptedOut(displayName: string): boolean;
}

/**
 * Consent for one meeting, kept current from `attendee.updated` events: an
 * opt-out published by MeetingService.setConsent applies to the very next
 * packet of that person, with no database read on the audio path.
 */
export class BusConsent implements ConsentGate {
  private readonly optedOut = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, private readonly meetingId: string, attendees: readonly Attendee[] = []) {
    for (const a of attendees) this.apply(a);
    this.unsubscribe = bus.subscribe('attendee.updated', (e) => {
      if (e.meetingId === this.meetingId) this.apply(e.attendee);
    });
  }

  isOptedOut(displayName: string): boolean {
    return this.optedOut.has(displayName);
  }

  close(): void {
    this.unsubscribe();
  }

  private apply(a: Attendee): void {
    if (a.consent === 'opted_out') this.optedOut.add(a.displayName);
    else this.optedOut.delete(a.displayName);
  }
}
