package dev.nimbleapm.agent.core.config;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.nimbleapm.agent.core.logging.LogLevel;

/** The value types configuration options use, parsed the way the official agent documents them. */
public final class ValueParsers {

    private ValueParsers() {
    }

    public static final ValueParser<String> STRING = new ValueParser<String>() {
        @Override
        public String parse(String raw) {
            String v = raw.trim();
            return v.isEmpty() ? null : v;
        }

        @Override
        public String format(String value) {
            return value == null ? "" : value;
        }
    };

    public static final ValueParser<Boolean> BOOLEAN = new ValueParser<Boolean>() {
        @Override
        public Boolean parse(String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return Boolean.TRUE;
            }
            if (v.equals("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("expected true or false");
        }

        @Override
        public String format(Boolean value) {
            return String.valueOf(value);
        }
    };

    public static final ValueParser<LogLevel> LOG_LEVEL = new ValueParser<LogLevel>() {
        @Override
        public LogLevel parse(String raw) {
            LogLevel level = LogLevel.parse(raw);
            if (level == null) {
                throw new IllegalArgumentException("expected one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
            }
            return level;
        }

        @Override
        public String format(LogLevel value) {
            return value.name();
        }
    };

    public static final ValueParser<List<String>> STRING_LIST = new ValueParser<List<String>>() {
        @Override
        public List<String> parse(String raw) {
            List<String> list = new ArrayList<String>();
            for (String s : raw.split(",")) {
                if (!s.trim().isEmpty()) {
                    list.add(s.trim());
                }
            }
            return Collections.unmodifiableList(list);
        }

        @Override
        public String format(List<String> value) {
            return join(value);
        }
    };

    public static final ValueParser<List<WildcardMatcher>> WILDCARD_LIST = new ValueParser<List<WildcardMatcher>>() {
        @Override
        public List<WildcardMatcher> parse(String raw) {
            List<WildcardMatcher> list = new ArrayList<WildcardMatcher>();
            for (String s : STRING_LIST.parse(raw)) {
                list.add(WildcardMatcher.of(s));
            }
            return Collections.unmodifiableList(list);
        }

        @Override
        public String format(List<WildcardMatcher> value) {
            return join(value);
        }
    };

    public static final ValueParser<List<URL>> URL_LIST = new ValueParser<List<URL>>() {
        @Override
        public List<URL> parse(String raw) {
            List<URL> urls = new ArrayList<URL>();
            for (String s : STRING_LIST.parse(raw)) {
                URL url;
                try {
                    url = new URL(s);
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a URL");
                }
                String protocol = url.getProtocol();
                if (!protocol.equals("http") && !protocol.equals("https")) {
                    throw new IllegalArgumentException("'" + s + "' is not an http or https URL");
                }
                if (url.getHost() == null || url.getHost().isEmpty()) {
                    throw new IllegalArgumentException("'" + s + "' has no host");
                }
                urls.add(url);
            }
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no URL given");
            }
            return Collections.unmodifiableList(urls);
        }

        @Override
        public String format(List<URL> value) {
            List<String> safe = new ArrayList<String>();
            for (URL url : value) {
                safe.add(withoutUserInfo(url));
            }
            return join(safe);
        }
    };

    /** {@code key=value,key2=value2}, the format of {@code global_labels}. */
    public static final ValueParser<Map<String, String>> KEY_VALUE_MAP = new ValueParser<Map<String, String>>() {
        @Override
        public Map<String, String> parse(String raw) {
            Map<String, String> map = new LinkedHashMap<String, String>();
            for (String entry : STRING_LIST.parse(raw)) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + entry + "' is not key=value");
                }
                map.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
            return Collections.unmodifiableMap(map);
        }

        @Override
        public String format(Map<String, String> value) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> e : value.entrySet()) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(e.getKey()).append('=').append(e.getValue());
            }
            return sb.toString();
        }
    };

    public static ValueParser<Integer> integer(final int min, final int max) {
        return new ValueParser<Integer>() {
            @Override
            public Integer parse(String raw) {
                int value;
                try {
                    value = Integer.parseInt(raw.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a whole number");
                }
                if (value < min || value > max) {
                    throw new IllegalArgumentException("expected a number between " + min + " and " + max);
                }
                return value;
            }

            @Override
            public String format(Integer value) {
                return String.valueOf(value);
            }
        };
    }

    /** A probability in [0, 1], rounded to 4 decimals like the official agent (so it can be propagated). */
    public static final ValueParser<Double> SAMPLE_RATE = new ValueParser<Double>() {
        @Override
        public Double parse(String raw) {
            double value;
            try {
                value = Double.parseDouble(raw.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number between 0 and 1");
            }
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("expected a number between 0 and 1");
            }
            return Math.round(value * 10000d) / 10000d;
        }

        @Override
        public String format(Double value) {
            return String.valueOf(value);
        }
    };

    /**
     * A duration such as {@code 10s}, {@code 500ms} or {@code 1m}, held in milliseconds; a bare number is in the
     * option's default unit.
     */
    public static ValueParser<Long> duration(final String defaultUnit, final long minMillis) {
        return new ValueParser<Long>() {
            @Override
            public Long parse(String raw) {
                String v = raw.trim().toLowerCase(Locale.ROOT);
                int i = 0;
                if (i < v.length() && v.charAt(i) == '-') {
                    i++;
                }
                while (i < v.length() && Character.isDigit(v.charAt(i))) {
                    i++;
                }
                if (i == 0 || (i == 1 && v.charAt(0) == '-')) {
                    throw new IllegalArgumentException("expected a duration like 10s, 500ms or 1m");
                }
                long amount = Long.parseLong(v.substring(0, i));
                String unit = v.substring(i).trim();
                if (unit.isEmpty()) {
                    unit = defaultUnit;
                }
                long millis;
                if (unit.equals("ms")) {
                    millis = amount;
                } else if (unit.equals("s")) {
                    millis = amount * 1000L;
                } else if (unit.equals("m")) {
                    millis = amount * 60000L;
                } else {
                    throw new IllegalArgumentException("unknown unit '" + unit + "' (use ms, s or m)");
                }
                if (millis < minMillis) {
                    throw new IllegalArgumentException("must be at least " + minMillis + "ms");
                }
                return millis;
            }

            @Override
            public String format(Long value) {
                return value % 1000 == 0 ? (value / 1000) + "s" : value + "ms";
            }
        };
    }

    /** A size such as {@code 768kb} or {@code 1mb}, held in bytes; a bare number is in bytes. */
    public static final ValueParser<Long> BYTE_SIZE = new ValueParser<Long>() {
        @Override
        public Long parse(String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            int i = 0;
            while (i < v.length() && Character.isDigit(v.charAt(i))) {
                i++;
            }
            if (i == 0) {
                throw new IllegalArgumentException("expected a size like 768kb or 1mb");
            }
            long amount = Long.parseLong(v.substring(0, i));
            String unit = v.substring(i).trim();
            if (unit.isEmpty() || unit.equals("b")) {
                return amount;
            }
            if (unit.equals("kb")) {
                return amount * 1024L;
            }
            if (unit.equals("mb")) {
                return amount * 1024L * 1024L;
            }
            if (unit.equals("gb")) {
                return amount * 1024L * 1024L * 1024L;
            }
            throw new IllegalArgumentException("unknown unit '" + unit + "' (use b, kb, mb or gb)");
        }

        @Override
        public String format(Long value) {
            if (value % (1024L * 1024L) == 0) {
                return (value / (1024L * 1024L)) + "mb";
            }
            return value % 1024L == 0 ? (value / 1024L) + "kb" : value + "b";
        }
    };

    public static <E extends Enum<E>> ValueParser<E> enumeration(final Class<E> type) {
        return new ValueParser<E>() {
            @Override
            public E parse(String raw) {
                String v = raw.trim();
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(v)) {
                        return e;
                    }
                }
                StringBuilder allowed = new StringBuilder();
                for (E e : type.getEnumConstants()) {
                    if (allowed.length() > 0) {
                        allowed.append(", ");
                    }
                    allowed.append(e.name().toLowerCase(Locale.ROOT));
                }
                throw new IllegalArgumentException("expected one of " + allowed);
            }

            @Override
            public String format(E value) {
                return value.name().toLowerCase(Locale.ROOT);
            }
        };
    }

    /** A URL as it may appear in logs and events: without credentials. */
    /**
     * Hides the user information of every URL in free text ({@code scheme://user:password@host} becomes
     * {@code scheme://<redacted>@host}), for values that may not even parse as URLs.
     */
    public static String redactUserInfo(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("://<redacted>@");
    }

    private static final java.util.regex.Pattern USER_INFO = java.util.regex.Pattern.compile("://[^/?#@\\s,']*@");

    public static String withoutUserInfo(URL url) {
        if (url.getUserInfo() == null) {
            return url.toString();
        }
        return url.getProtocol() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
            + url.getFile();
    }

    private static String join(List<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object o : values) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(o);
        }
        return sb.toString();
    }
}
