package dev.nimbleapm.agent.core.tracer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.testing.TracerTest;

class ActivationStackTest extends TracerTest {

    @Test
    void activeIsTheInnermostActivation() {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Span span = tracer.startSpan(tx);
        span.activate();
        assertThat(tracer.getActive()).isSameAs(span);
        assertThat(tracer.currentSpan()).isSameAs(span);
        assertThat(tracer.currentTransaction()).isSameAs(tx);
        span.deactivate();
        assertThat(tracer.getActive()).isSameAs(tx);
        assertThat(tracer.currentSpan()).isNull();
        span.end();
        tx.deactivate();
        assertThat(tracer.getActive()).isNull();
        tx.end();
    }

    @Test
    void outOfOrderDeactivationRemovesOnlyThatEntry() {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Span span = tracer.startSpan(tx);
        span.activate();
        tx.deactivate();
        assertThat(tracer.activationStack().depth()).isEqualTo(1);
        assertThat(tracer.getActive()).isSameAs(span);
        span.deactivate();
        assertThat(tracer.activationStack().depth()).isZero();
        span.end();
        tx.end();
    }

    @Test
    void deactivatingSomethingNotActiveIsIgnored() {
        Transaction tx = tracer.startRootTransaction();
        Transaction other = tracer.startRootTransaction();
        tx.activate();
        other.deactivate();
        assertThat(tracer.getActive()).isSameAs(tx);
        tx.deactivate();
        tx.end();
        other.end();
    }

    @Test
    void activationsAreTrackedPerThread() throws Exception {
        Transaction tx = tracer.startRootTransaction();
        tx.activate();
        Object[] seen = new Object[1];
        Thread other = new Thread(() -> seen[0] = tracer.getActive());
        other.start();
        other.join();
        assertThat(seen[0]).isNull();
        tx.deactivate();
        tx.end();
    }

    @Test
    void nestingBeyondTheMaximumIsAbsorbedSymmetrically() {
        Transaction tx = tracer.startRootTransaction();
        int depth = ActivationStack.MAX_DEPTH + 10;
        for (int i = 0; i < depth; i++) {
            tx.activate();
        }
        assertThat(tracer.activationStack().depth()).isEqualTo(ActivationStack.MAX_DEPTH);
        for (int i = 0; i < depth; i++) {
            tx.deactivate();
        }
        assertThat(tracer.activationStack().depth()).isZero();
        tx.end();
    }
}
