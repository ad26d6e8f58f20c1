package dev.nimbleapm.agent.core.report;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of what happened to reported events; readable from any thread. */
public final class ReporterStats {

    final AtomicLong accepted = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong serialized = new AtomicLong();
    final AtomicLong serializationErrors = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong failedRequests = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong consecutiveFailures = new AtomicLong();
    final AtomicLong lastRetryDelayMillis = new AtomicLong();

    /** Events taken into the queue. */
    public long accepted() {
        return accepted.get();
    }

    /** Events refused because the queue was full (or the reporter closed). */
    public long dropped() {
        return dropped.get();
    }

    public long serialized() {
        return serialized.get();
    }

    /**
     * Events that failed to serialize: dropped when the failure left no valid line, or sent with a fallback name when
     * only their span name formatter failed.
     */
    public long serializationErrors() {
        return serializationErrors.get();
    }

    /** Events in intake requests the APM Server acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Events in intake requests that failed (connection error, error status). */
    public long lost() {
        return lost.get();
    }

    public long requests() {
        return requests.get();
    }

    public long failedRequests() {
        return failedRequests.get();
    }

    /** Intake requests that failed in a row since the last one that succeeded (the backoff's state). */
    public long consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** The wait before the next attempt chosen at the last failure, in milliseconds (0 before any failure). */
    public long lastRetryDelayMillis() {
        return lastRetryDelayMillis.get();
    }

    /** Compressed bytes written to the APM Server. */
    public long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public String toString() {
        return "accepted=" + accepted + ", dropped=" + dropped + ", serialized=" + serialized + ", sent=" + sent
            + ", lost=" + lost + ", requests=" + requests + ", failedRequests=" + failedRequests
            + ", serializationErrors=" + serializationErrors;
    }
}
