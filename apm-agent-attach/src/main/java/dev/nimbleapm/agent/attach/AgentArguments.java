package dev.nimbleapm.agent.attach;

import java.util.Map;

/**
 * Encodes configuration as the agent's argument string: {@code @activation=<method>;key=value;key2=value2}. The
 * agent reads the activation method from the prefix (it is reported in the metadata) and the rest as attach
 * parameters. {@code ;} separates entries, so it cannot be part of a value.
 */
final class AgentArguments {

    private AgentArguments() {
    }

    static String encode(String activationMethod, Map<String, String> configuration) {
        StringBuilder sb = new StringBuilder("@activation=").append(activationMethod);
        for (Map.Entry<String, String> e : configuration.entrySet()) {
            String key = e.getKey().trim();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (key.isEmpty() || key.indexOf(';') >= 0 || key.indexOf('=') >= 0 || value.indexOf(';') >= 0) {
                throw new IllegalArgumentException("configuration entry '" + key + "' cannot be passed to the agent "
                    + "(';' is not allowed in keys or values, '=' not in keys)");
            }
            sb.append(';').append(key).append('=').append(value);
        }
        return sb.toString();
    }
}
