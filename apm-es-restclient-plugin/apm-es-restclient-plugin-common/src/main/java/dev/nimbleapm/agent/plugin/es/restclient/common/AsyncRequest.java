package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.Span;

/**
 * One asynchronous request in flight: its span, the context that was active when the application issued it (to be
 * re-activated around the application's listener), and which of the client's internal listener objects belongs to
 * it. Ends exactly once, whichever of completion, failure, cancellation or a failure before dispatch comes first.
 */
final class AsyncRequest {

    final Span span;
    /** Holds a reference (released in {@link #releaseParent()}), so it is not recycled while the request runs. */
    private AbstractSpan parent;
    /** The application's listener, compared by identity to recognise this request's internal listener. */
    Object userListener;
    Object internalListener;
    boolean dispatched;
    Throwable dispatchFailure;
    private final AtomicBoolean ended = new AtomicBoolean();

    AsyncRequest(Span span, AbstractSpan parent, Object userListener) {
        this.span = span;
        this.parent = parent;
        this.userListener = userListener;
        if (parent != null) {
            parent.incrementReferences();
        }
    }

    /** True for the one caller that gets to end the span. */
    boolean tryEnd() {
        if (ended.compareAndSet(false, true)) {
            userListener = null;
            return true;
        }
        return false;
    }

    AbstractSpan parent() {
        return parent;
    }

    void releaseParent() {
        AbstractSpan p = parent;
        parent = null;
        if (p != null) {
            p.decrementReferences();
        }
    }
}
