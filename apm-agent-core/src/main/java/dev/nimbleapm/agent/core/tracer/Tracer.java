package dev.nimbleapm.agent.core.tracer;

import java.util.concurrent.atomic.AtomicLong;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.io.CharBufferPool;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.ErrorCapture;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.pool.ObjectPool;
import dev.nimbleapm.agent.core.report.Reporter;

/**
 * The entry point for everything that records: starts transactions and spans from pools, keeps each thread's
 * activation stack, captures errors, and hands ended events to the {@link Reporter}. Advice reaches the installed
 * instance through {@link #get()}.
 *
 * <p>Every method is safe to call from any application thread and never throws into it.
 */
public final class Tracer {

    private static final AgentLogger logger = AgentLogger.getLogger(Tracer.class);
    private static final int SMALL_TEXT = 1024;
    private static volatile Tracer installed;

    private final AgentConfig config;
    private final Reporter reporter;
    private final ObjectPool<Transaction> transactionPool;
    private final ObjectPool<Span> spanPool;
    private final ObjectPool<ErrorCapture> errorPool;
    private final CharBufferPool statementBufferPool;
    private final CharBufferPool smallStatementBufferPool;
    private final ThreadLocal<ActivationStack> activationStacks = new ThreadLocal<ActivationStack>() {
        @Override
        protected ActivationStack initialValue() {
            return new ActivationStack();
        }
    };
    private final AtomicLong poolViolations = new AtomicLong();

    public Tracer(AgentConfig config, Reporter reporter) {
        this.config = config;
        this.reporter = reporter;
        int maxPooled = Math.max(64, config.get(CoreOptions.MAX_QUEUE_SIZE) * 2);
        this.transactionPool = new ObjectPool<Transaction>("transactions", maxPooled,
            new ObjectPool.Factory<Transaction>() {
                @Override
                public Transaction create(ObjectPool<Transaction> pool) {
                    return new Transaction(Tracer.this, pool);
                }
            });
        this.spanPool = new ObjectPool<Span>("spans", maxPooled, new ObjectPool.Factory<Span>() {
            @Override
            public Span create(ObjectPool<Span> pool) {
                return new Span(Tracer.this, pool);
            }
        });
        this.errorPool = new ObjectPool<ErrorCapture>("errors", 64, new ObjectPool.Factory<ErrorCapture>() {
            @Override
            public ErrorCapture create(ObjectPool<ErrorCapture> pool) {
                return new ErrorCapture(pool);
            }
        });
        // most captured bodies are short: small buffers for those (pooled as many as spans), a few long ones
        int longField = config.get(CoreOptions.LONG_FIELD_MAX_LENGTH);
        this.statementBufferPool = new CharBufferPool(longField, 64);
        this.smallStatementBufferPool = new CharBufferPool(Math.min(SMALL_TEXT, longField), maxPooled);
    }

    /** The tracer the agent installed, or {@code null} when no agent runs (or it is disabled). */
    public static Tracer get() {
        return installed;
    }

    public static void install(Tracer tracer) {
        installed = tracer;
    }

    public AgentConfig config() {
        return config;
    }

    public Reporter reporter() {
        return reporter;
    }

    public boolean isRecording() {
        return config.get(CoreOptions.RECORDING);
    }

    // ------------------------------------------------------------------ transactions

    /** A new trace, sampled per {@code transaction_sample_rate}; null when not recording. */
    public Transaction startRootTransaction() {
        if (!isRecording()) {
            return null;
        }
        long traceIdHigh = IdGenerator.nextId();
        long traceIdLow = IdGenerator.nextId();
        double rate = config.get(CoreOptions.TRANSACTION_SAMPLE_RATE);
        boolean sampled = rate >= 1.0 || (rate > 0.0 && ((traceIdLow >>> 11) * 0x1.0p-53) < rate);
        long nanoTime = System.nanoTime();
        return transactionPool.take().start(traceIdHigh, traceIdLow, 0, sampled, sampled ? rate : 0.0,
            config.get(CoreOptions.TRANSACTION_MAX_SPANS), WallClock.epochMicros(nanoTime), nanoTime,
            IdGenerator.nextId());
    }

    /**
     * Continues a trace from a W3C {@code traceparent} (and optional {@code tracestate}); a missing or malformed
     * header starts a new trace instead.
     */
    public Transaction startChildTransaction(CharSequence traceparent, CharSequence tracestate) {
        if (!isRecording()) {
            return null;
        }
        TraceParent parent = new TraceParent();
        if (!parent.parse(traceparent)) {
            if (traceparent != null) {
                logger.debug("Ignoring malformed traceparent header '{}'", traceparent);
            }
            return startRootTransaction();
        }
        double rate = parent.sampled() ? TraceParent.parseSampleRate(tracestate) : 0.0;
        return transactionPool.take().start(parent.traceIdHigh(), parent.traceIdLow(), parent.parentId(),
            parent.sampled(), rate, config.get(CoreOptions.TRANSACTION_MAX_SPANS), epochMicros(), System.nanoTime(),
            IdGenerator.nextId());
    }

    // ------------------------------------------------------------------ spans

    /**
     * A child of {@code parent}, or null when there is nothing to record: no parent, parent not sampled, the
     * transaction's span budget is used up (counted as dropped), or the parent is an exit span (nothing is traced
     * beneath a call to another service).
     */
    public Span startSpan(AbstractSpan parent) {
        if (parent == null || !parent.isSampled() || !parent.isStarted() || !isRecording()) {
            return null;
        }
        if (parent instanceof Span && ((Span) parent).isExit()) {
            return null;
        }
        Transaction tx = parent.transaction();
        if (tx == null || !tx.tryStartSpan()) {
            return null;
        }
        return spanPool.take().start(parent, IdGenerator.nextId(), System.nanoTime());
    }

    /** {@link #startSpan} of the currently active span or transaction, marked as an exit span. */
    public Span startExitSpan() {
        Span span = startSpan(getActive());
        return span == null ? null : span.asExit();
    }

    // ------------------------------------------------------------------ activation

    public AbstractSpan getActive() {
        return activationStacks.get().top();
    }

    /** The innermost active transaction's local root, or null. */
    public Transaction currentTransaction() {
        AbstractSpan active = getActive();
        return active == null ? null : active.transaction();
    }

    /** The innermost active span (not transaction), or null. */
    public Span currentSpan() {
        AbstractSpan active = getActive();
        return active instanceof Span ? (Span) active : null;
    }

    public void activate(AbstractSpan span) {
        if (span != null) {
            activationStacks.get().push(span);
        }
    }

    public void deactivate(AbstractSpan span) {
        if (span != null) {
            activationStacks.get().remove(span);
        }
    }

    /** This thread's stack (tests and diagnostics). */
    public ActivationStack activationStack() {
        return activationStacks.get();
    }

    // ------------------------------------------------------------------ errors

    /**
     * Records {@code exception} as an error event linked to {@code parent} (may be null). Marks the parent as having
     * failed unless its outcome is set explicitly.
     */
    public ErrorCapture captureException(Throwable exception, AbstractSpan parent) {
        if (exception == null || !isRecording()) {
            return null;
        }
        ErrorCapture error = errorPool.take().start(exception, IdGenerator.nextId(), IdGenerator.nextId(),
            parent != null ? parent.clockEpochMicros() + (System.nanoTime() - parent.clockNanos()) / 1000L
                : epochMicros());
        error.withParent(parent);
        if (parent != null) {
            parent.setErrorCaptured();
        }
        return error;
    }

    /** Hands a captured error to the reporter (separate from capture so callers can add details first). */
    public void report(ErrorCapture error) {
        if (error != null) {
            reporter.report(error);
        }
    }

    public void report(Transaction transaction) {
        reporter.report(transaction);
    }

    public void report(Span span) {
        reporter.report(span);
    }

    // ------------------------------------------------------------------ pools

    /** Buffers of {@code long_field_max_length} characters, for text of unknown or large size. */
    public CharBufferPool statementBufferPool() {
        return statementBufferPool;
    }

    /**
     * The pool for text of at most {@code maxChars} characters when that is known ({@code maxChars < 0}: unknown):
     * short bodies take small buffers, so that many of them can wait in the reporter's queue without each holding
     * {@code long_field_max_length} characters.
     */
    public CharBufferPool statementBufferPool(long maxChars) {
        return maxChars >= 0 && maxChars <= smallStatementBufferPool.bufferCapacity() ? smallStatementBufferPool
            : statementBufferPool;
    }

    public CharBufferPool smallStatementBufferPool() {
        return smallStatementBufferPool;
    }

    public ObjectPool<Transaction> transactionPool() {
        return transactionPool;
    }

    public ObjectPool<Span> spanPool() {
        return spanPool;
    }

    public ObjectPool<ErrorCapture> errorPool() {
        return errorPool;
    }

    /** Something used a pooled object outside its lifetime: a bug; counted so tests can fail on it. */
    public void poolViolation(Object object, String what) {
        poolViolations.incrementAndGet();
        logger.warnOnce("pool-violation:" + what, "Pooled object misuse: {} {}", object.getClass().getSimpleName(),
            what);
    }

    public long poolViolations() {
        return poolViolations.get();
    }

    /** The wall clock in microseconds, read once per trace (children add {@link System#nanoTime()} offsets). */
    static long epochMicros() {
        return WallClock.epochMicros(System.nanoTime());
    }
}
