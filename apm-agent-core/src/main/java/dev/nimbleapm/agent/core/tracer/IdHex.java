package dev.nimbleapm.agent.core.tracer;

/** Lower-case, zero-padded hex of 64-bit ids, as the intake protocol and W3C trace context spell them. */
public final class IdHex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private IdHex() {
    }

    public static void append(StringBuilder sb, long value) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            sb.append(DIGITS[(int) ((value >>> shift) & 0xF)]);
        }
    }

    /** Writes 16 ASCII hex digits into {@code out} at {@code offset}. */
    public static void write(byte[] out, int offset, long value) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = (byte) DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    public static String toHex(long value) {
        StringBuilder sb = new StringBuilder(16);
        append(sb, value);
        return sb.toString();
    }

    public static String toHex(long high, long low) {
        StringBuilder sb = new StringBuilder(32);
        append(sb, high);
        append(sb, low);
        return sb.toString();
    }
}
