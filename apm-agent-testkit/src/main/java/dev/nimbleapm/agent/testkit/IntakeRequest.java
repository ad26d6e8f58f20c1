package dev.nimbleapm.agent.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link MockApmServer} saw of one {@code POST /intake/v2/events} request.
 *
 * <p>Exists so that tests can check how an agent talks to the server, not only what it sends: headers
 * (compression, user agent, authorization), how many events share a request, how well they compress and how long a
 * request stays open.
 *
 * @param headers         request headers; {@link Map#get} ignores the case of the name
 * @param events          event lines in the body, not counting the {@code metadata} line
 * @param compressedBytes body bytes as sent (after removing the chunked transfer coding, before decompressing)
 * @param rawBytes        body bytes after decompressing
 * @param start           when the request head had been read
 * @param end             when the body ended (or the connection was dropped)
 * @param status          the status answered, or {@code -1} when no answer was sent (dropped connection, body cut)
 */
public record IntakeRequest(Map<String, String> headers, int events, long compressedBytes, long rawBytes,
                            Instant start, Instant end, int status) {

    public IntakeRequest {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
    }

    /** The value of a request header, case-insensitively, or {@code null}. */
    public String header(String name) {
        return headers.get(name);
    }

    /** How long the request was open. */
    public Duration duration() {
        return Duration.between(start, end);
    }
}
