package dev.nimbleapm.agent.core.tracer;

/**
 * Reads and writes W3C {@code traceparent} headers ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>})
 * and the Elastic entry of {@code tracestate} ({@code es=s:<sample rate>}). Parsing allocates nothing.
 */
public final class TraceParent {

    public static final String HEADER = "traceparent";
    public static final String LEGACY_HEADER = "elastic-apm-traceparent";
    public static final String TRACESTATE_HEADER = "tracestate";

    private long traceIdHigh;
    private long traceIdLow;
    private long parentId;
    private boolean sampled;

    /** Parses into this holder; false (and nothing usable) when the header is malformed. */
    public boolean parse(CharSequence header) {
        if (header == null) {
            return false;
        }
        int len = header.length();
        // version "00" plus future versions that keep the same prefix layout
        if (len < 55 || header.charAt(2) != '-' || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        if (header.charAt(0) == 'f' && header.charAt(1) == 'f') {
            return false;
        }
        if (!isHex(header, 0, 2) || !isHex(header, 3, 35) || !isHex(header, 36, 52) || !isHex(header, 53, 55)) {
            return false;
        }
        if (len > 55 && (header.charAt(0) == '0' && header.charAt(1) == '0')) {
            return false;
        }
        traceIdHigh = parseHex(header, 3, 19);
        traceIdLow = parseHex(header, 19, 35);
        parentId = parseHex(header, 36, 52);
        if ((traceIdHigh == 0 && traceIdLow == 0) || parentId == 0) {
            return false;
        }
        sampled = (parseHex(header, 53, 55) & 1) == 1;
        return true;
    }

    public long traceIdHigh() {
        return traceIdHigh;
    }

    public long traceIdLow() {
        return traceIdLow;
    }

    public long parentId() {
        return parentId;
    }

    public boolean sampled() {
        return sampled;
    }

    /** The sample rate from an {@code es=s:<rate>} tracestate entry, or NaN when absent or invalid. */
    public static double parseSampleRate(CharSequence tracestate) {
        if (tracestate == null) {
            return Double.NaN;
        }
        String s = tracestate.toString();
        for (String member : s.split(",")) {
            String m = member.trim();
            if (m.startsWith("es=")) {
                for (String kv : m.substring(3).split(";")) {
                    if (kv.startsWith("s:")) {
                        try {
                            double rate = Double.parseDouble(kv.substring(2));
                            return rate >= 0 && rate <= 1 ? rate : Double.NaN;
                        } catch (NumberFormatException e) {
                            return Double.NaN;
                        }
                    }
                }
            }
        }
        return Double.NaN;
    }

    public static String format(long traceIdHigh, long traceIdLow, long id, boolean sampled) {
        StringBuilder sb = new StringBuilder(55);
        sb.append("00-");
        IdHex.append(sb, traceIdHigh);
        IdHex.append(sb, traceIdLow);
        sb.append('-');
        IdHex.append(sb, id);
        sb.append(sampled ? "-01" : "-00");
        return sb.toString();
    }

    private static boolean isHex(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static long parseHex(CharSequence s, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            value = (value << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return value;
    }
}
