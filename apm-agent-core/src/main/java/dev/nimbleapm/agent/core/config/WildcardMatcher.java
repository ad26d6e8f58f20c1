package dev.nimbleapm.agent.core.config;

import java.util.List;

/**
 * A glob of literal text and {@code *} wildcards, matched case-insensitively unless the pattern starts with
 * {@code (?-i)} - the syntax of the official agent's wildcard options. Matching allocates nothing, so it can run
 * on the application's thread.
 */
public final class WildcardMatcher {

    private static final String CASE_SENSITIVE_PREFIX = "(?-i)";

    private final String pattern;
    private final String[] parts;
    private final boolean leadingWildcard;
    private final boolean trailingWildcard;
    private final boolean ignoreCase;

    private WildcardMatcher(String pattern) {
        this.pattern = pattern;
        String p = pattern;
        boolean caseSensitive = p.startsWith(CASE_SENSITIVE_PREFIX);
        if (caseSensitive) {
            p = p.substring(CASE_SENSITIVE_PREFIX.length());
        }
        this.ignoreCase = !caseSensitive;
        this.leadingWildcard = p.startsWith("*");
        this.trailingWildcard = p.endsWith("*") && p.length() > 0;
        String[] split = p.split("\\*+");
        int count = 0;
        for (String s : split) {
            if (!s.isEmpty()) {
                count++;
            }
        }
        this.parts = new String[count];
        int i = 0;
        for (String s : split) {
            if (!s.isEmpty()) {
                parts[i++] = s;
            }
        }
    }

    public static WildcardMatcher of(String pattern) {
        return new WildcardMatcher(pattern.trim());
    }

    public static boolean anyMatch(List<WildcardMatcher> matchers, CharSequence text) {
        if (text == null) {
            return false;
        }
        for (int i = 0; i < matchers.size(); i++) {
            if (matchers.get(i).matches(text)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(CharSequence text) {
        if (parts.length == 0) {
            return leadingWildcard || text.length() == 0;
        }
        int pos = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            boolean first = i == 0;
            boolean last = i == parts.length - 1;
            if (first && !leadingWildcard) {
                if (!regionMatches(text, 0, part)) {
                    return false;
                }
                pos = part.length();
                if (last && !trailingWildcard) {
                    return pos == text.length();
                }
                continue;
            }
            if (last && !trailingWildcard) {
                int start = text.length() - part.length();
                return start >= pos && regionMatches(text, start, part);
            }
            int found = indexOf(text, part, pos);
            if (found < 0) {
                return false;
            }
            pos = found + part.length();
        }
        return true;
    }

    private int indexOf(CharSequence text, String part, int from) {
        for (int i = from; i <= text.length() - part.length(); i++) {
            if (regionMatches(text, i, part)) {
                return i;
            }
        }
        return -1;
    }

    private boolean regionMatches(CharSequence text, int offset, String part) {
        if (offset < 0 || offset + part.length() > text.length()) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char a = text.charAt(offset + i);
            char b = part.charAt(i);
            if (a != b && (!ignoreCase || Character.toLowerCase(a) != Character.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
