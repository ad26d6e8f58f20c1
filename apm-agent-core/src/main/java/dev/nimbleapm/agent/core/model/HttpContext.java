package dev.nimbleapm.agent.core.model;

/**
 * {@code context.http} of an outgoing request. The URL is kept as the parts the client already had (scheme, host,
 * port, path) and joined by the reporter; credentials are never part of it.
 */
public final class HttpContext {

    private String method;
    private int statusCode;
    private String scheme;
    private String host;
    private int port = -1;
    private String path;
    private String fullUrl;

    public HttpContext withMethod(String method) {
        this.method = method;
        return this;
    }

    public HttpContext withStatusCode(int statusCode) {
        this.statusCode = statusCode;
        return this;
    }

    public HttpContext withUrlParts(String scheme, String host, int port, String path) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        return this;
    }

    public HttpContext withPath(String path) {
        this.path = path;
        return this;
    }

    public HttpContext withFullUrl(String fullUrl) {
        this.fullUrl = fullUrl;
        return this;
    }

    public String method() {
        return method;
    }

    public int statusCode() {
        return statusCode;
    }

    public String scheme() {
        return scheme;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String path() {
        return path;
    }

    public String fullUrl() {
        return fullUrl;
    }

    public boolean hasUrl() {
        return fullUrl != null || host != null;
    }

    public boolean hasContent() {
        return method != null || statusCode > 0 || hasUrl();
    }

    void reset() {
        method = null;
        statusCode = 0;
        scheme = null;
        host = null;
        port = -1;
        path = null;
        fullUrl = null;
    }
}
