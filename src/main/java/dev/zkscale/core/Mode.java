package dev.zkscale.core;

/** How the controller treats a target: scale it, decide without writing, or leave it alone. */
public enum Mode {
    Active,
    DryRun,
    Paused
}
