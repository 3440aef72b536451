// A tiny HTTP CONNECT proxy that tunnels `localhost:443` to a reference server's ephemeral port.
//
// Why: agavepy's Swagger client (Agave.restore(), ag.profiles.get(), ag.clients.create())
// builds every URL as "https://" + the netloc of api_server (agavepy/resources/*.json.j2), and
// its authenticator applies credentials only when the configured host equals the URL's
// *hostname* (agavepy/swaggerpy/http_client.py, Authenticator.matches): with a port in
// api_server ("127.0.0.1:41743" != "127.0.0.1") no Authorization header is ever sent. So the
// real client only works with an HTTPS api_server on the default port. With
// HTTPS_PROXY=<this proxy> and api_server "https://localhost", requests tunnels through here
// to the reference server, whose certificate names "localhost"; nothing leaves 127.0.0.1.
// Runs under plain `node --experimental-strip-types` like the servers.
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface ConnectProxy {
  /** http://127.0.0.1:PORT, for HTTPS_PROXY. */
  readonly url: string;
  /** The CONNECT targets seen ("localhost:443"), refused ones included. */
  readonly connects: string[];
  close(): Promise<void>;
}

/** Tunnels CONNECT localhost:443 (only) to `target`, an https://127.0.0.1:PORT URL. */
export async function startConnectProxy(target: string): Promise<ConnectProxy> {
  const { hostname, port } = new URL(target);
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { 'Content-Type': 'text/plain' });
    res.end('CONNECT only\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const wanted = req.url ?? '';
    connects.push(wanted);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (wanted !== 'localhost:443') {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${address.port}`,
    connects,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
