package dev.nimbleapm.agent.core.pool;

/** An object that can be reset and reused instead of being garbage. */
public interface Recyclable {

    /** Clears every field that belongs to the previous use, so nothing leaks into the next one. */
    void resetState();
}
