package dev.zkscale.coordination;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of one ZooKeeper server, to partition one client from it. While partitioned, bytes are
 * swallowed in both directions (no reset: the client finds out only by its own read timeout, as behind a dead network
 * link); connections made during a partition, or cut by it, never carry data again.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    /** Bumped by each partition; a connection relays only while the generation it was born in is current. */
    private final AtomicInteger generation = new AtomicInteger();

    private volatile boolean partitioned;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    void partition() {
        partitioned = true;
        generation.incrementAndGet();
    }

    void heal() {
        partitioned = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                int born = partitioned ? -1 : generation.get();
                threads.execute(() -> relay(client, server, born));
                threads.execute(() -> relay(server, client, born));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket from, Socket to, int born) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!partitioned && born == generation.get()) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // either side went away
        } finally {
            closeQuietly(from);
            if (!partitioned && born == generation.get()) {
                closeQuietly(to);
            }
            // else: across a partition not even a close gets through; the other side must time out on its own
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(this::closeQuietly);
        threads.shutdownNow();
    }
}
