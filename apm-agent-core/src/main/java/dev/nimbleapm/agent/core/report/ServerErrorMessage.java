package dev.nimbleapm.agent.core.report;

/**
 * Pulls the human-readable message out of an APM Server error body ({@code {"error":"..."}} or
 * {@code {"errors":[{"message":"..."}]}}) without a JSON parser in the agent; falls back to the raw text.
 */
final class ServerErrorMessage {

    private ServerErrorMessage() {
    }

    static String extract(String body) {
        if (body == null) {
            return null;
        }
        String trimmed = body.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        String value = stringValue(trimmed, "\"message\"");
        if (value == null) {
            value = stringValue(trimmed, "\"error\"");
        }
        if (value == null) {
            value = trimmed;
        }
        value = value.replace('\n', ' ').replace('\r', ' ');
        return value.length() > 300 ? value.substring(0, 300) + "..." : value;
    }

    private static String stringValue(String json, String key) {
        int k = json.indexOf(key);
        if (k < 0) {
            return null;
        }
        int colon = json.indexOf(':', k + key.length());
        if (colon < 0) {
            return null;
        }
        int i = colon + 1;
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (i >= json.length() || json.charAt(i) != '"') {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (i = i + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\' && i + 1 < json.length()) {
                sb.append(json.charAt(++i));
            } else if (c == '"') {
                return sb.toString();
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
