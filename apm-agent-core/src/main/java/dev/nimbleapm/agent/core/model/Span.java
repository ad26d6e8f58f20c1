package dev.nimbleapm.agent.core.model;

import dev.nimbleapm.agent.core.pool.ObjectPool;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * An operation inside a transaction: a call to Elasticsearch, or a piece of work the application timed through the
 * public API. An exit span stands for a call to another service; nothing is traced beneath it.
 *
 * <p>A span keeps a reference on its transaction (the transaction is not recycled before its spans), but only ids
 * of its parent: it never needs the parent object after it started.
 */
public final class Span extends AbstractSpan {

    public static final int SYNC_UNKNOWN = 0;
    public static final int SYNC = 1;
    public static final int ASYNC = 2;

    private final ObjectPool<Span> pool;
    private Transaction transaction;
    private long transactionId;
    private boolean exit;
    private int sync;
    private final DbContext db = new DbContext();
    private final HttpContext http = new HttpContext();
    private final DestinationContext destination = new DestinationContext();

    public Span(Tracer tracer, ObjectPool<Span> pool) {
        super(tracer);
        this.pool = pool;
    }

    /** Starts as a child of {@code parent}, whose transaction has already granted a span (see tryStartSpan). */
    public Span start(AbstractSpan parent, long id, long nanoTime) {
        markStarted();
        Transaction tx = parent.transaction();
        tx.incrementReferences();
        this.transaction = tx;
        this.transactionId = tx.id();
        this.traceIdHigh = parent.traceIdHigh();
        this.traceIdLow = parent.traceIdLow();
        this.parentId = parent.id();
        this.id = id;
        this.sampled = parent.isSampled();
        this.sampleRate = tx.sampleRate();
        this.clockEpochMicros = parent.clockEpochMicros();
        this.clockNanos = parent.clockNanos();
        this.timestampMicros = clockEpochMicros + (nanoTime - clockNanos) / 1000L;
        return this;
    }

    @Override
    public Transaction transaction() {
        return transaction;
    }

    public long transactionId() {
        return transactionId;
    }

    public boolean isExit() {
        return exit;
    }

    public Span asExit() {
        this.exit = true;
        return this;
    }

    public int sync() {
        return sync;
    }

    public void setSync(boolean sync) {
        this.sync = sync ? SYNC : ASYNC;
    }

    public DbContext db() {
        return db;
    }

    public HttpContext http() {
        return http;
    }

    public DestinationContext destination() {
        return destination;
    }

    @Override
    protected Outcome defaultOutcome() {
        return Outcome.SUCCESS;
    }

    @Override
    protected void report() {
        tracer.report(this);
    }

    @Override
    protected void releaseHeldReferences() {
        Transaction tx = transaction;
        transaction = null;
        if (tx != null) {
            tx.decrementReferences();
        }
    }

    @Override
    protected void recycle() {
        pool.recycle(this);
    }


    @Override
    public void resetState() {
        super.resetState();
        transaction = null;
        transactionId = 0;
        exit = false;
        sync = SYNC_UNKNOWN;
        db.reset();
        http.reset();
        destination.reset();
    }
}
