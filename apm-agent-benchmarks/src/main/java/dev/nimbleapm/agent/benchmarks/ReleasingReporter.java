package dev.nimbleapm.agent.benchmarks;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.Reporter;

/**
 * A reporter that releases every event at once, on the caller's thread, exactly as the intake reporter does after
 * serializing it: the last reference goes back and the object returns to its pool. Benchmarks of the application's
 * thread then measure the tracer and the pools, not a queue or a reporter thread.
 */
public final class ReleasingReporter implements Reporter {

    private long reported;

    @Override
    public void report(Transaction transaction) {
        reported++;
        transaction.decrementReferences();
    }

    @Override
    public void report(Span span) {
        reported++;
        span.decrementReferences();
    }

    @Override
    public void report(ErrorCapture error) {
        reported++;
        error.release();
    }

    /** Events handed over so far (benchmarks that report from one thread only: the count is not atomic). */
    public long reported() {
        return reported;
    }

    @Override
    public boolean flush(long timeoutMillis) {
        return true;
    }

    @Override
    public void close(long timeoutMillis) {
    }
}
