package dev.zkscale.demo;

import dev.zkscale.app.Controller;

/** One controller instance of the demo and what it needs of its own: a ZooKeeper link and an API client. */
final class DemoInstance {
    final String name;
    final TcpRelay link;
    final Controller controller;
    volatile boolean running = true;

    DemoInstance(String name, TcpRelay link, Controller controller) {
        this.name = name;
        this.link = link;
        this.controller = controller;
    }

    /** Stops its passes and closes its controller (a clean shutdown: the latch is released). */
    void close() {
        running = false;
        controller.close();
    }
}
