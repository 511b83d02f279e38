import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { CallOrchestrator } from '@codcall/call-orchestration';
import type { CarrierName } from '@codcall/telephony-providers';

/** Binds each carrier's media-stream socket to the orchestrator; the path names the protocol. */
abstract class MediaStreamGateway implements OnGatewayConnection {
  protected abstract readonly carrier: CarrierName;
  private readonly logger = new Logger('MediaStream');

  constructor(@Inject(CallOrchestrator) private readonly calls: CallOrchestrator) {}

  handleConnection(socket: WebSocket): void {
    const handler = this.calls.openMediaStream(this.carrier, {
      send: (text) => {
        if (socket.readyState === socket.OPEN) socket.send(text);
      },
      close: (code, reason) => socket.close(code, reason),
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'media streams carry JSON text frames');
      handler.onMessage(data.toString());
    });
    socket.on('close', () => handler.onClose());
    socket.on('error', (error) => this.logger.warn(`media socket error: ${error.message}`));
  }
}

@WebSocketGateway({ path: '/media-stream/twilio' })
export class TwilioMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'twilio' as const;
}

@WebSocketGateway({ path: '/media-stream/sim' })
export class SimulatorMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'sim' as const;
}

@WebSocketGateway({ path: '/media-stream/plivo' })
export class PlivoMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'plivo' as const;
}
