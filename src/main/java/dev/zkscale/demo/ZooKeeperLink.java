package dev.zkscale.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One controller's network path to ZooKeeper: a TCP relay on loopback that can be cut, as a crash cuts it. After
 * {@link #cut()} the controller reaches ZooKeeper no more and sends no closeSession, so its session lives on in
 * the server until the session timeout, and its leader latch node with it: what a standby sees when a leader's machine
 * dies.
 */
final class ZooKeeperLink implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final String name;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    private ZooKeeperLink(ServerSocket listener, int upstreamPort, String name) {
        this.listener = listener;
        this.upstreamPort = upstreamPort;
        this.name = name;
    }

    static ZooKeeperLink open(int upstreamPort, String name) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ZooKeeperLink link = new ZooKeeperLink(listener, upstreamPort, name);
        daemon("zkscale-demo-link-" + name, link::accept).start();
        return link;
    }

    String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    /** Drops every connection and refuses new ones, without a word to either side. */
    void cut() {
        cut = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(ZooKeeperLink::closeQuietly);
        sockets.clear();
    }

    @Override
    public void close() {
        cut();
    }

    private void accept() {
        while (!cut) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (cut) {
                    return;
                }
                continue;
            }
            Socket server;
            try {
                server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            sockets.add(client);
            sockets.add(server);
            if (cut) {
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            daemon("zkscale-demo-link-" + name + "-up", () -> pump(client, server))
                    .start();
            daemon("zkscale-demo-link-" + name + "-down", () -> pump(server, client))
                    .start();
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side closed, or the link was cut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
