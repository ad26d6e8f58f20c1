package dev.nimbleapm.agent.core.model;

import dev.nimbleapm.agent.core.pool.ObjectPool;
import dev.nimbleapm.agent.core.pool.Recyclable;

/**
 * An exception to report as an error event, linked to the span or transaction it happened in. Only references and
 * ids are recorded on the application's thread; the stack trace and message are read by the reporter.
 * Owned by the reporter once submitted; recycled after serialization.
 */
public final class ErrorCapture implements Recyclable {

    private final ObjectPool<ErrorCapture> pool;
    private long idHigh;
    private long idLow;
    private long traceIdHigh;
    private long traceIdLow;
    private long transactionId;
    private long parentId;
    private boolean transactionSampled;
    private String transactionType;
    private CharSequence transactionName;
    private long timestampMicros;
    private Throwable exception;
    private int statusCode;
    private final Labels labels = new Labels();

    public ErrorCapture(ObjectPool<ErrorCapture> pool) {
        this.pool = pool;
    }

    public ErrorCapture start(Throwable exception, long idHigh, long idLow, long timestampMicros) {
        this.exception = exception;
        this.idHigh = idHigh;
        this.idLow = idLow;
        this.timestampMicros = timestampMicros;
        return this;
    }

    /** Links the error to the span or transaction that was active; a transaction's name is read when serialized. */
    public ErrorCapture withParent(AbstractSpan parent) {
        if (parent == null) {
            return this;
        }
        Transaction tx = parent.transaction();
        this.traceIdHigh = parent.traceIdHigh();
        this.traceIdLow = parent.traceIdLow();
        this.parentId = parent.id();
        if (tx != null) {
            this.transactionId = tx.id();
            this.transactionSampled = tx.isSampled();
            this.transactionType = tx.type();
            CharSequence name = tx.name();
            this.transactionName = name == null ? null : name.toString();
        }
        return this;
    }

    public ErrorCapture withStatusCode(int statusCode) {
        this.statusCode = statusCode;
        return this;
    }

    public long idHigh() {
        return idHigh;
    }

    public long idLow() {
        return idLow;
    }

    public long traceIdHigh() {
        return traceIdHigh;
    }

    public long traceIdLow() {
        return traceIdLow;
    }

    public boolean hasTraceContext() {
        return traceIdHigh != 0 || traceIdLow != 0;
    }

    public long transactionId() {
        return transactionId;
    }

    public long parentId() {
        return parentId;
    }

    public boolean transactionSampled() {
        return transactionSampled;
    }

    public String transactionType() {
        return transactionType;
    }

    public CharSequence transactionName() {
        return transactionName;
    }

    public long timestampMicros() {
        return timestampMicros;
    }

    public Throwable exception() {
        return exception;
    }

    public int statusCode() {
        return statusCode;
    }

    public Labels labels() {
        return labels;
    }

    public void release() {
        pool.recycle(this);
    }

    @Override
    public void resetState() {
        idHigh = 0;
        idLow = 0;
        traceIdHigh = 0;
        traceIdLow = 0;
        transactionId = 0;
        parentId = 0;
        transactionSampled = false;
        transactionType = null;
        transactionName = null;
        timestampMicros = 0;
        exception = null;
        statusCode = 0;
        labels.clear();
    }
}
