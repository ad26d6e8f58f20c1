package dev.nimbleapm.agent.core.tracer;

import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.model.AbstractSpan;

/**
 * The spans and transactions active on one thread, innermost on top. One instance per thread, used only by that
 * thread, so no synchronization. Each entry holds a reference on its span (so a span that ends while still active
 * is not recycled under the stack).
 *
 * <p>Misuse is absorbed, never amplified: deactivating something that is not on top is logged once and the entry is
 * removed where it is (the others stay in order); deactivating something that is not active at all is logged and
 * ignored; nesting deeper than {@link #MAX_DEPTH} is counted but not recorded, and the matching deactivations are
 * absorbed by that count.
 */
public final class ActivationStack {

    public static final int MAX_DEPTH = 64;
    private static final AgentLogger logger = AgentLogger.getLogger(ActivationStack.class);

    private final AbstractSpan[] stack = new AbstractSpan[MAX_DEPTH];
    private int size;
    private int overflow;

    public AbstractSpan top() {
        return size == 0 ? null : stack[size - 1];
    }

    public int depth() {
        return size;
    }

    public AbstractSpan get(int index) {
        return stack[index];
    }

    void push(AbstractSpan span) {
        if (size == MAX_DEPTH) {
            overflow++;
            logger.warnOnce("activation-overflow", "More than {} nested activations on thread '{}'; deeper ones "
                + "are not tracked", MAX_DEPTH, Thread.currentThread().getName());
            return;
        }
        span.incrementReferences();
        stack[size++] = span;
    }

    /** Returns false when {@code span} was not active on this thread. */
    boolean remove(AbstractSpan span) {
        if (overflow > 0) {
            // the innermost activations were the untracked ones
            overflow--;
            return true;
        }
        if (size > 0 && stack[size - 1] == span) {
            stack[--size] = null;
            span.decrementReferences();
            return true;
        }
        for (int i = size - 2; i >= 0; i--) {
            if (stack[i] == span) {
                logger.warnOnce("deactivate-not-top", "Deactivated a span that is not the innermost active one "
                    + "(deactivation out of order); the activation stack stays consistent");
                System.arraycopy(stack, i + 1, stack, i, size - i - 1);
                stack[--size] = null;
                span.decrementReferences();
                return true;
            }
        }
        logger.warnOnce("deactivate-not-active", "Deactivated a span that is not active on this thread; ignored");
        return false;
    }
}
