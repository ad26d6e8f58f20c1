package dev.nimbleapm.agent.core.model;

/**
 * Builds a span's name from the facts the application thread recorded, on the reporter thread. Plugins set one on a
 * span instead of concatenating strings in the instrumented method: the application pays nothing for the name.
 * Implementations are stateless singletons.
 */
public interface SpanNameFormatter {

    /** Appends the name of {@code span} to {@code out}. Called only from the reporter thread. */
    void appendName(Span span, StringBuilder out);
}
