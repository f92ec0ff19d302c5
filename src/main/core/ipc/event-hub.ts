import { eventChannels, type EventChannel, type EventPayload } from '../../../shared/ipc';
import type { Logger } from '../log/logger';

/** Receives every event the core emits (Electron: webContents.send; e2e host: the page). */
export type EventSink = (channel: EventChannel, payload: unknown) => void;

/** Typed fan-out of main → renderer events, validated against the contract before sending. */
export interface EventHub {
  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void;
  /** Adds a sink; returns a function that removes it. */
  connect(sink: EventSink): () => void;
}

/** Creates the hub. A sink that throws is logged and does not stop the others. */
export function createEventHub(logger: Logger): EventHub {
  const sinks = new Set<EventSink>();
  return {
    emit(channel, payload) {
      const parsed = eventChannels[channel].safeParse(payload);
      if (!parsed.success) {
        logger.error('event.payload-invalid', { channel });
        return;
      }
      for (const sink of sinks) {
        try {
          sink(channel, parsed.data);
        } catch (error) {
          logger.warn('event.sink-failed', {
            channel,
            errorName: error instanceof Error ? error.name : typeof error,
          });
        }
      }
    },
    connect(sink) {
      sinks.add(sink);
      return () => {
        sinks.delete(sink);
      };
    },
  };
}
