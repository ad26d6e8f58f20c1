package dev.nimbleapm.agent.core.report;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;

/**
 * Takes ended events from the application's threads. Implementations must never block and never do I/O on the
 * caller's thread; they take over the caller's reference and release it when done (or immediately when dropping).
 */
public interface Reporter {

    void report(Transaction transaction);

    void report(Span span);

    void report(ErrorCapture error);

    /** Waits up to {@code timeoutMillis} until everything reported so far was sent; true when it was. */
    boolean flush(long timeoutMillis);

    /** Stops, delivering what it can within {@code timeoutMillis}. */
    void close(long timeoutMillis);
}
