// Types for the parts of localtunnel 2.0.2 we build on. @types/localtunnel only describes the package's
// entry function; we subclass its Tunnel class (see localtunnelClient.ts), so its shape is declared here.
declare module 'localtunnel/lib/Tunnel.js' {
  import { EventEmitter } from 'node:events';

  namespace Tunnel {
    interface Options {
      host: string;
      port: number;
      subdomain?: string;
      local_host?: string;
    }

    /** What `_getInfo` builds from the server's JSON and hands to the TunnelCluster. */
    interface Info {
      name: string;
      url: string;
      max_conn: number;
      remote_host: string;
      remote_port: number;
      local_port: number;
    }

    /** Emits 'open' with each connected server socket, 'dead' when one closes, 'error' on refusal. */
    type Cluster = EventEmitter;
  }

  class Tunnel extends EventEmitter {
    constructor(opts: Tunnel.Options);
    opts: Tunnel.Options;
    closed: boolean;
    clientId?: string;
    url?: string;
    tunnelCluster?: Tunnel.Cluster;
    _getInfo(body: unknown): Tunnel.Info;
    _init(cb: (err: Error | null, info?: Tunnel.Info) => void): void;
    open(cb: (err?: Error) => void): void;
    close(): void;
  }

  export = Tunnel;
}
