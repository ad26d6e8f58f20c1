package dev.nimbleapm.agent.plugin.es.restclient.common;

import java.nio.charset.Charset;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what matters of a {@code Content-Type} value - is it text, which charset - on the application's thread
 * without allocating: case-insensitive matching in place, and charsets cached by the header value.
 */
final class ContentTypes {

    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final int MAX_CACHED = 64;
    private static final ConcurrentHashMap<String, Charset> CHARSETS = new ConcurrentHashMap<String, Charset>();

    private ContentTypes() {
    }

    /** JSON and other text; not Smile, CBOR or other binary encodings Elasticsearch also accepts. No type: text. */
    static boolean isText(String contentType) {
        return contentType == null || containsIgnoreCase(contentType, "json") || containsIgnoreCase(contentType, "text/")
            || containsIgnoreCase(contentType, "x-www-form");
    }

    /** The {@code charset} parameter's charset; UTF-8 when absent or unknown. */
    static Charset charset(String contentType) {
        if (contentType == null || !containsIgnoreCase(contentType, "charset=")) {
            return UTF_8;
        }
        Charset cached = CHARSETS.get(contentType);
        if (cached == null) {
            cached = parseCharset(contentType);
            if (CHARSETS.size() < MAX_CACHED) {
                CHARSETS.put(contentType, cached);
            }
        }
        return cached;
    }

    private static Charset parseCharset(String contentType) {
        int i = indexOfIgnoreCase(contentType, "charset=");
        int end = contentType.indexOf(';', i);
        String name = contentType.substring(i + 8, end < 0 ? contentType.length() : end).trim().replace("\"", "");
        try {
            return Charset.forName(name);
        } catch (Exception e) {
            return UTF_8;
        }
    }

    static boolean containsIgnoreCase(String text, String part) {
        return indexOfIgnoreCase(text, part) >= 0;
    }

    private static int indexOfIgnoreCase(String text, String part) {
        for (int i = 0; i <= text.length() - part.length(); i++) {
            if (text.regionMatches(true, i, part, 0, part.length())) {
                return i;
            }
        }
        return -1;
    }
}
