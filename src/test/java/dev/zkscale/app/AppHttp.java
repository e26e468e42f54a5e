package dev.zkscale.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Plain GET requests to the application under test, as a probe, a scraper or a user sends them. */
final class AppHttp {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AppHttp() {}

    /** GET {@code path} resolved against {@code base} (the test's {@code @TestHTTPResource("/")}); the body as text. */
    static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
