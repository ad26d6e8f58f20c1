package dev.nimbleapm.agent.core.model;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.nimbleapm.agent.core.pool.Recyclable;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * What transactions and spans share: W3C trace context (128-bit trace id, 64-bit id and parent id, sampled flag),
 * timing, name, type, outcome and labels, and the reference count that decides when the object may be recycled.
 *
 * <p>Ownership: an object comes out of its pool with one reference, held by whoever started it. Each activation
 * and each child holds one more. {@link #end()} hands the starter's reference to the reporter, which releases it
 * once serialized; the object goes back to its pool when the last reference is released. An object that escaped
 * to code whose lifetime is unknown (the public API) is referred to there together with its {@link #generation()},
 * so that a reference kept past recycling can be recognised as stale and ignored.
 *
 * <p>Timing: one clock per trace - the wall clock is read once when the local root starts, every other timestamp
 * is that value plus a {@link System#nanoTime()} offset, so durations and child positions are exact and monotonic.
 *
 * <p>Fields are written by the thread that starts and ends the span and read by the reporter thread after
 * {@link #end()} has published it through the reporter's queue.
 */
public abstract class AbstractSpan implements Recyclable {

    static final int STATE_POOLED = 0;
    static final int STATE_STARTED = 1;
    static final int STATE_ENDED = 2;

    private static final AtomicIntegerFieldUpdater<AbstractSpan> REFERENCES =
        AtomicIntegerFieldUpdater.newUpdater(AbstractSpan.class, "references");

    protected final Tracer tracer;
    private volatile int references;
    private volatile int state = STATE_POOLED;
    private volatile int generation;

    protected long traceIdHigh;
    protected long traceIdLow;
    protected long id;
    protected long parentId;
    protected boolean sampled;
    protected double sampleRate;

    protected long clockEpochMicros;
    protected long clockNanos;
    protected long timestampMicros;
    protected long durationMicros;

    private String name;
    private StringBuilder nameBuilder;
    private boolean nameInBuilder;
    private SpanNameFormatter nameFormatter;
    protected String type;
    protected String subtype;
    protected String action;
    private Outcome outcome;
    private boolean errorCaptured;
    private final Labels labels = new Labels();

    protected AbstractSpan(Tracer tracer) {
        this.tracer = tracer;
    }

    // ---------------------------------------------------------------- lifecycle

    protected void markStarted() {
        if (state != STATE_POOLED) {
            tracer.poolViolation(this, "started while " + stateName());
        }
        REFERENCES.set(this, 1);
        generation++;
        state = STATE_STARTED;
    }

    /** Ends now. */
    public final void end() {
        end(-1);
    }

    /**
     * Ends at the given epoch-microsecond timestamp ({@code -1}: now) and hands the object to the reporter. A second
     * call is ignored.
     */
    public final void end(long epochMicros) {
        if (state != STATE_STARTED) {
            if (state == STATE_POOLED) {
                tracer.poolViolation(this, "ended while pooled");
            }
            return;
        }
        if (epochMicros >= 0) {
            durationMicros = Math.max(0, epochMicros - timestampMicros);
        } else {
            durationMicros = Math.max(0, (System.nanoTime() - clockNanos) / 1000L + clockEpochMicros - timestampMicros);
        }
        if (outcome == null) {
            outcome = errorCaptured ? Outcome.FAILURE : defaultOutcome();
        }
        state = STATE_ENDED;
        beforeReport();
        report();
    }

    /** The outcome when nobody set one and no error was captured. */
    protected Outcome defaultOutcome() {
        return Outcome.SUCCESS;
    }

    protected void beforeReport() {
    }

    protected abstract void report();

    public boolean isEnded() {
        return state == STATE_ENDED;
    }

    public boolean isStarted() {
        return state == STATE_STARTED;
    }

    // ---------------------------------------------------------------- references

    public void incrementReferences() {
        int before = REFERENCES.getAndIncrement(this);
        if (before <= 0 || state == STATE_POOLED) {
            tracer.poolViolation(this, "referenced after release");
        }
    }

    public void decrementReferences() {
        int after = REFERENCES.decrementAndGet(this);
        if (after == 0) {
            state = STATE_POOLED;
            releaseHeldReferences();
            recycle();
        } else if (after < 0) {
            tracer.poolViolation(this, "released more often than referenced");
        }
    }

    public int referenceCount() {
        return references;
    }

    /** Releases what this object itself references (e.g. a span's transaction) before it is recycled. */
    protected void releaseHeldReferences() {
    }

    protected abstract void recycle();

    /**
     * Incremented each time this object starts a new life out of its pool: a reference taken together with its
     * generation recognises itself as stale once the object was recycled.
     */
    public int generation() {
        return generation;
    }

    boolean isPooled() {
        return state == STATE_POOLED;
    }

    private String stateName() {
        int s = state;
        return s == STATE_POOLED ? "pooled" : s == STATE_STARTED ? "started" : "ended";
    }

    // ---------------------------------------------------------------- activation

    /** Makes this the current span of this thread until {@link #deactivate()}. */
    public AbstractSpan activate() {
        tracer.activate(this);
        return this;
    }

    public AbstractSpan deactivate() {
        tracer.deactivate(this);
        return this;
    }

    // ---------------------------------------------------------------- accessors

    @Override
    public void resetState() {
        traceIdHigh = 0;
        traceIdLow = 0;
        id = 0;
        parentId = 0;
        sampled = false;
        sampleRate = 0;
        clockEpochMicros = 0;
        clockNanos = 0;
        timestampMicros = 0;
        durationMicros = 0;
        name = null;
        if (nameBuilder != null) {
            nameBuilder.setLength(0);
        }
        nameInBuilder = false;
        nameFormatter = null;
        type = null;
        subtype = null;
        action = null;
        outcome = null;
        errorCaptured = false;
        labels.clear();
    }

    public long traceIdHigh() {
        return traceIdHigh;
    }

    public long traceIdLow() {
        return traceIdLow;
    }

    public long id() {
        return id;
    }

    public long parentId() {
        return parentId;
    }

    public boolean isSampled() {
        return sampled;
    }

    public double sampleRate() {
        return sampleRate;
    }

    public long timestampMicros() {
        return timestampMicros;
    }

    public long durationMicros() {
        return durationMicros;
    }

    public long clockEpochMicros() {
        return clockEpochMicros;
    }

    public long clockNanos() {
        return clockNanos;
    }

    /** Sets an explicit start time in epoch microseconds (public API {@code setStartTimestamp}). */
    public void setStartTimestamp(long epochMicros) {
        if (epochMicros > 0) {
            timestampMicros = epochMicros;
        }
    }

    public void setName(String name) {
        this.name = name;
        this.nameInBuilder = false;
    }

    /** A builder to write the name into, for names that are composed (cleared; reused across recycles). */
    public StringBuilder nameBuilder() {
        if (nameBuilder == null) {
            nameBuilder = new StringBuilder(64);
        }
        nameBuilder.setLength(0);
        nameInBuilder = true;
        name = null;
        return nameBuilder;
    }

    public void setNameFormatter(SpanNameFormatter formatter) {
        this.nameFormatter = formatter;
    }

    public SpanNameFormatter nameFormatter() {
        return nameFormatter;
    }

    /** The name as set (not as a formatter would build it), or null. */
    public CharSequence name() {
        return nameInBuilder ? nameBuilder : name;
    }

    public String type() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String subtype() {
        return subtype;
    }

    public String action() {
        return action;
    }

    public void setTypes(String type, String subtype, String action) {
        if (type != null) {
            this.type = type;
        }
        if (subtype != null) {
            this.subtype = subtype;
        }
        if (action != null) {
            this.action = action;
        }
    }

    public Outcome outcome() {
        return outcome;
    }

    public void setOutcome(Outcome outcome) {
        this.outcome = outcome;
    }

    public void setErrorCaptured() {
        errorCaptured = true;
    }

    public Labels labels() {
        return labels;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The local root transaction of this trace (itself for a transaction). */
    public abstract Transaction transaction();
}
