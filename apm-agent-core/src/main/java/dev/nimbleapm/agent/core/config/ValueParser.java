package dev.nimbleapm.agent.core.config;

/** Turns a raw configuration string into a typed value, or explains in the exception why it cannot. */
public interface ValueParser<T> {

    T parse(String raw) throws IllegalArgumentException;

    /** How a value is written back in documentation and warnings. */
    String format(T value);
}
