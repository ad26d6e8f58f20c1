package dev.nimbleapm.agent.core.model;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.nimbleapm.agent.core.pool.ObjectPool;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * A local root of a trace: an incoming request, a job, or what the application started through the public API.
 * It owns the trace's clock, the sampling decision and the span budget ({@code transaction_max_spans}).
 */
public final class Transaction extends AbstractSpan {

    public static final String DEFAULT_TYPE = "custom";

    private static final AtomicIntegerFieldUpdater<Transaction> SPANS_STARTED =
        AtomicIntegerFieldUpdater.newUpdater(Transaction.class, "spansStarted");
    private static final AtomicIntegerFieldUpdater<Transaction> SPANS_DROPPED =
        AtomicIntegerFieldUpdater.newUpdater(Transaction.class, "spansDropped");

    private final ObjectPool<Transaction> pool;
    private volatile int spansStarted;
    private volatile int spansDropped;
    private int maxSpans;
    private String result;
    private String frameworkName;
    private String userId;
    private String userEmail;
    private String userName;
    private String userDomain;
    private Labels custom;

    public Transaction(Tracer tracer, ObjectPool<Transaction> pool) {
        super(tracer);
        this.pool = pool;
    }

    /**
     * Starts a transaction. {@code traceIdHigh == 0 && traceIdLow == 0} starts a new trace; otherwise it continues
     * a remote one whose parent span id is {@code remoteParentId}.
     */
    public Transaction start(long traceIdHigh, long traceIdLow, long remoteParentId, boolean sampled,
                             double sampleRate, int maxSpans, long epochMicros, long nanoTime, long id) {
        markStarted();
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.parentId = remoteParentId;
        this.id = id;
        this.sampled = sampled;
        this.sampleRate = sampleRate;
        this.maxSpans = maxSpans;
        this.clockEpochMicros = epochMicros;
        this.clockNanos = nanoTime;
        this.timestampMicros = epochMicros;
        return this;
    }

    @Override
    public Transaction transaction() {
        return this;
    }

    /**
     * The parent id, created now when there is none (the public API's {@code ensureParentId}, used to let a browser
     * agent's page-load span become this transaction's parent).
     */
    public long ensureParentId() {
        if (parentId == 0) {
            parentId = dev.nimbleapm.agent.core.tracer.IdGenerator.nextId();
        }
        return parentId;
    }

    /** Counts a span against {@code transaction_max_spans}; false means the span must be dropped. */
    public boolean tryStartSpan() {
        if (spansStarted >= maxSpans) {
            SPANS_DROPPED.incrementAndGet(this);
            return false;
        }
        if (SPANS_STARTED.incrementAndGet(this) > maxSpans) {
            SPANS_STARTED.decrementAndGet(this);
            SPANS_DROPPED.incrementAndGet(this);
            return false;
        }
        return true;
    }

    public int spansStarted() {
        return spansStarted;
    }

    public int spansDropped() {
        return spansDropped;
    }

    public String result() {
        return result;
    }

    public void setResult(String result) {
        this.result = result;
    }

    public String frameworkName() {
        return frameworkName;
    }

    public void setFrameworkName(String frameworkName) {
        this.frameworkName = frameworkName;
    }

    public void setUser(String id, String email, String username, String domain) {
        this.userId = id;
        this.userEmail = email;
        this.userName = username;
        this.userDomain = domain;
    }

    public String userId() {
        return userId;
    }

    public String userEmail() {
        return userEmail;
    }

    public String userName() {
        return userName;
    }

    public String userDomain() {
        return userDomain;
    }

    /** Custom context (public API {@code addCustomContext}); created on first use. */
    public Labels custom() {
        if (custom == null) {
            custom = new Labels();
        }
        return custom;
    }

    public boolean hasCustom() {
        return custom != null && !custom.isEmpty();
    }

    @Override
    protected Outcome defaultOutcome() {
        return Outcome.UNKNOWN;
    }

    @Override
    protected void report() {
        tracer.report(this);
    }

    @Override
    protected void recycle() {
        pool.recycle(this);
    }


    @Override
    public void resetState() {
        super.resetState();
        spansStarted = 0;
        spansDropped = 0;
        maxSpans = 0;
        result = null;
        frameworkName = null;
        userId = null;
        userEmail = null;
        userName = null;
        userDomain = null;
        if (custom != null) {
            custom.clear();
        }
    }
}
