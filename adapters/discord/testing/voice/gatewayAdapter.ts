import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterLibraryMethods } from '@discordjs/voice';

/**
 * A hand-written stand-in for `guild.voiceAdapterCreator`: what the main
 * Discord gateway does for a voice connection. @discordjs/voice sends an op-4
 * VOICE_STATE_UPDATE through `sendPayload`; Discord answers a join with
 * VOICE_STATE_UPDATE (our session id) and VOICE_SERVER_UPDATE (token +
 * endpoint), which this passes back through the library's methods, pointing it
 * at a FakeVoiceServer.
 */
export interface FakeGatewayOptions {
  /** The voice server's `host:port` (FakeVoiceServer.endpoint). */
  endpoint: string;
  /** The bot's user id. */
  userId?: string;
  sessionId?: string;
}

export interface FakeGateway {
  creator: DiscordGatewayAdapterCreator;
  /** Every op-4 payload the library sent (joins, rejoins, the final leave). */
  payloads: { op: number; d: { guild_id: string; channel_id: string | null; self_deaf: boolean; self_mute: boolean } }[];
  /** false: joins go unanswered, like a gateway that lost the guild. */
  answering: boolean;
  /** Set when the library released the adapter (connection destroyed). */
  destroyed: boolean;
}

export function fakeGateway(options: FakeGatewayOptions): FakeGateway {
  const userId = options.userId ?? '100000000000000001';
  const sessionId = options.sessionId ?? 'fake-session';
  let joins = 0;
  const gateway: FakeGateway = {
    payloads: [],
    answering: true,
    destroyed: false,
    creator: (methods) => ({
      sendPayload(payload: FakeGateway['payloads'][number]) {
        gateway.payloads.push(payload);
        if (payload.d.channel_id && gateway.answering) {
          // Discord answers asynchronously, never from inside the send.
          const token = `voice-token-${++joins}`;
          setImmediate(() => answer(methods, payload.d, { userId, sessionId, token, endpoint: options.endpoint }));
        }
        return true;
      },
      destroy() {
        gateway.destroyed = true;
      },
    }),
  };
  return gateway;
}

function answer(
  methods: DiscordGatewayAdapterLibraryMethods,
  join: FakeGateway['payloads'][number]['d'],
  s: { userId: string; sessionId: string; token: string; endpoint: string },
): void {
  methods.onVoiceStateUpdate({
    guild_id: join.guild_id,
    channel_id: join.channel_id,
    user_id: s.userId,
    session_id: s.sessionId,
    deaf: false,
    mute: false,
    self_deaf: join.self_deaf,
    self_mute: join.self_mute,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  });
  methods.onVoiceServerUpdate({ token: s.token, guild_id: join.guild_id, endpoint: s.endpoint });
}
