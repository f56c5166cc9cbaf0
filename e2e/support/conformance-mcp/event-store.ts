// In-memory event store so a 2025-11-25 client can resume a cut SSE stream with Last-Event-ID.
import type { EventStore, JSONRPCMessage } from "@modelcontextprotocol/server";

export function createMemoryEventStore(): EventStore {
  const events: { id: string; streamId: string; message: JSONRPCMessage }[] = [];
  let counter = 0;
  return {
    storeEvent(streamId, message) {
      const id = `${streamId}_${String(++counter).padStart(8, "0")}`;
      events.push({ id, streamId, message });
      return Promise.resolve(id);
    },
    getStreamIdForEventId(eventId) {
      return Promise.resolve(events.find((event) => event.id === eventId)?.streamId);
    },
    async replayEventsAfter(lastEventId, { send }) {
      const at = events.findIndex((event) => event.id === lastEventId);
      if (at < 0) return "";
      const { streamId } = events[at];
      for (const event of events.slice(at + 1)) {
        if (event.streamId === streamId) await send(event.id, event.message);
      }
      return streamId;
    },
  };
}
