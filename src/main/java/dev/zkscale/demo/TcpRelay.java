package dev.zkscale.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback in front of one server (a demo controller's path to ZooKeeper; a test client's), to take
 * that path away as a failure would:
 *
 * <ul>
 *   <li>{@link #cut()}, a crash: every connection is dropped and new ones are refused, for good. The client sends no
 *       closeSession, so its ZooKeeper session, and its leader latch node with it, lives on in the server until the
 *       session timeout: what a standby sees when a leader's machine dies.
 *   <li>{@link #partition()} until {@link #heal()}, a dead network link: bytes are swallowed both ways, with no reset,
 *       so each side finds out only by its own timeout; connections made during a partition, or cut by it, never
 *       carry data again.
 *   <li>{@link #delay(Duration)}, a slow link: each chunk read is held that long before it is passed on, both ways, so
 *       a request reaches the server late even when its client has given up waiting (the fault campaign's slow API
 *       server).
 *   <li>{@link #drop()}, a reset: the connections open now are closed at both ends; new ones are relayed as before.
 * </ul>
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final String name;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /** Bumped by each partition; a connection relays only while the generation it was born in is current. */
    private final AtomicInteger generation = new AtomicInteger();

    private volatile boolean partitioned;
    private volatile boolean cut;
    private volatile Duration delay = Duration.ZERO;

    private TcpRelay(ServerSocket listener, int upstreamPort, String name) {
        this.listener = listener;
        this.upstreamPort = upstreamPort;
        this.name = name;
    }

    /** A relay to {@code upstreamPort} on loopback, named {@code name} in its threads' names. */
    public static TcpRelay open(int upstreamPort, String name) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        TcpRelay relay = new TcpRelay(listener, upstreamPort, name);
        daemon("zkscale-relay-" + name, relay::accept).start();
        return relay;
    }

    /** Where clients connect: {@code 127.0.0.1:PORT}. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    /** Swallows every byte from now on, both ways, without a word to either side, until {@link #heal()}. */
    public void partition() {
        partitioned = true;
        generation.incrementAndGet();
    }

    /** Relays again, on connections made from now on. */
    public void heal() {
        partitioned = false;
    }

    /** Holds each chunk read from now on for {@code delay} before passing it on ({@link Duration#ZERO}: none). */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** Closes the connections open now, at both ends; new connections are relayed as before. */
    public void drop() {
        sockets.forEach(TcpRelay::closeQuietly);
    }

    /** How many client connections are open through the relay now. */
    public int connections() {
        return sockets.size() / 2;
    }

    /** Drops every connection and refuses new ones, for good. */
    public void cut() {
        cut = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(TcpRelay::closeQuietly);
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
            int born = partitioned ? -1 : generation.get();
            daemon("zkscale-relay-" + name + "-up", () -> pump(client, server, born))
                    .start();
            daemon("zkscale-relay-" + name + "-down", () -> pump(server, client, born))
                    .start();
        }
    }

    private boolean relaying(int born) {
        return !partitioned && born == generation.get();
    }

    private void pump(Socket from, Socket to, int born) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long held = delay.toMillis();
                if (held > 0) {
                    Thread.sleep(held);
                }
                if (relaying(born)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the other side closed, or the relay was cut
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            sockets.remove(from);
            // Across a partition not even a close gets through: the other side must time out on its own.
            if (relaying(born) || cut) {
                closeQuietly(to);
                sockets.remove(to);
            }
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
