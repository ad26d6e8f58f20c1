package dev.nimbleapm.agent.attach;

import java.util.Properties;

/**
 * Whether a JVM already runs the agent: the agent records its activation in the system property
 * {@value #PROPERTY} when it starts (with {@code -javaagent} or attached).
 */
final class AgentPresence {

    static final String PROPERTY = "nimble.apm.agent.active";

    private AgentPresence() {
    }

    static boolean inThisJvm() {
        return System.getProperty(PROPERTY) != null;
    }

    static boolean in(Properties systemPropertiesOfTarget) {
        return systemPropertiesOfTarget.getProperty(PROPERTY) != null;
    }
}
