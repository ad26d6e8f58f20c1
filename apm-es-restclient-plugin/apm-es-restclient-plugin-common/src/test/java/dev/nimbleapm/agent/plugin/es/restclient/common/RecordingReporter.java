package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.util.ArrayList;
import java.util.List;

import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.report.Reporter;

/** Keeps what tests need of each reported span (read before release), then releases it like the real reporter. */
final class RecordingReporter implements Reporter {

    final List<String> statements = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();

    @Override
    public synchronized void report(Transaction transaction) {
        transaction.decrementReferences();
    }

    @Override
    public synchronized void report(Span span) {
        CharSequence statement = span.db().statement();
        statements.add(statement == null ? null : statement.toString());
        span.decrementReferences();
    }

    @Override
    public synchronized void report(ErrorCapture error) {
        errors.add(error.exception());
        error.release();
    }

    @Override
    public boolean flush(long timeoutMillis) {
        return true;
    }

    @Override
    public void close(long timeoutMillis) {
    }
}
