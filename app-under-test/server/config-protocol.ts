/** What GET /api/config on the app's server answers. Types only. */
export interface AppConfigResponse {
  signalingUrl: string;
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  iceTransportPolicy: 'all' | 'relay';
}
