package dev.nimbleapm.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.nimbleapm.agent.testkit.MockApmServer;

/**
 * Gives each test a fresh intake server ({@link #apm}) that validates every event it receives, and closes it after
 * the test. The integration tests extend this.
 */
abstract class IntakeServerPerTest {

    protected MockApmServer apm;

    @BeforeEach
    final void startIntake() {
        apm = MockApmServer.start();
    }

    @AfterEach
    final void stopIntake() {
        apm.close();
    }
}
