package dev.nimbleapm.agent.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * Base of tests that record: a real tracer with a {@link CapturingReporter}. After every test, every pooled object
 * is back in its pool, nothing is left active on the test thread, and no pooled object was used outside its
 * lifetime.
 */
public abstract class TracerTest {

    protected Tracer tracer;
    protected CapturingReporter reporter;

    @BeforeEach
    void createTracer() {
        reporter = new CapturingReporter();
        tracer = new Tracer(config(Collections.emptyMap()), reporter);
    }

    /** Re-creates the tracer with these options (canonical keys). */
    protected void reconfigure(Map<String, String> options) {
        reporter = new CapturingReporter();
        tracer = new Tracer(config(options), reporter);
    }

    protected static AgentConfig config(Map<String, String> options) {
        return ConfigLoader.load(Collections.emptyList(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("test", options)));
    }

    @AfterEach
    void everythingReturnedToPools() {
        assertThat(tracer.activationStack().depth()).as("active spans left on the test thread").isZero();
        assertThat(tracer.transactionPool().objectsInUse()).as("transactions not returned").isZero();
        assertThat(tracer.spanPool().objectsInUse()).as("spans not returned").isZero();
        assertThat(tracer.errorPool().objectsInUse()).as("errors not returned").isZero();
        assertThat(tracer.statementBufferPool().objectsInUse()).as("statement buffers not returned").isZero();
        assertThat(tracer.smallStatementBufferPool().objectsInUse()).as("small statement buffers not returned")
            .isZero();
        assertThat(tracer.poolViolations()).as("pooled objects used outside their lifetime").isZero();
    }
}
