package dev.zkscale.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fault campaign's uses of the relay: a slow link and a reset. */
class TcpRelayTest {
    private static final byte[] REQUEST = "PATCH".getBytes(StandardCharsets.US_ASCII);

    @Test
    @DisplayName("a slow link delivers a request late, even after its client has given up and closed")
    void delayedRequestLandsAfterTheClientLeft() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TcpRelay relay = TcpRelay.open(server.getLocalPort(), "test")) {
            relay.delay(Duration.ofMillis(300));
            try (Socket client = connect(relay)) {
                client.getOutputStream().write(REQUEST);
                client.getOutputStream().flush();
            }
            try (Socket accepted = server.accept()) {
                assertArrayEquals(REQUEST, accepted.getInputStream().readNBytes(REQUEST.length));
            }
        }
    }

    @Test
    @DisplayName("a reset closes the open connections; a new one is relayed as before")
    void dropClosesOpenConnectionsOnly() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress());
                TcpRelay relay = TcpRelay.open(server.getLocalPort(), "test");
                Socket first = connect(relay);
                Socket upstream = server.accept()) {
            await().until(() -> relay.connections() == 1);
            relay.drop();
            assertEquals(-1, first.getInputStream().read(), "the client's connection is closed");
            assertEquals(-1, upstream.getInputStream().read(), "the server's connection is closed");
            try (Socket second = connect(relay);
                    Socket accepted = server.accept()) {
                second.getOutputStream().write(REQUEST);
                InputStream in = accepted.getInputStream();
                assertArrayEquals(REQUEST, in.readNBytes(REQUEST.length));
            }
        }
    }

    private static Socket connect(TcpRelay relay) throws Exception {
        String[] hostPort = relay.connectString().split(":");
        return new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
    }
}
