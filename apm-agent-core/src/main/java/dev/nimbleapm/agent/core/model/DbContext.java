package dev.nimbleapm.agent.core.model;

import java.nio.CharBuffer;

import dev.nimbleapm.agent.core.io.CharBufferPool;

/**
 * {@code context.db} of a span. The statement is either a String the application already had, or text copied into
 * a pooled {@link CharBuffer} (request bodies), returned to its pool when the span is recycled.
 */
public final class DbContext {

    private String type;
    private String instance;
    private String user;
    private String statement;
    private CharBuffer statementBuffer;
    private CharBufferPool statementBufferPool;

    public DbContext withType(String type) {
        this.type = type;
        return this;
    }

    public DbContext withInstance(String instance) {
        this.instance = instance;
        return this;
    }

    public DbContext withUser(String user) {
        this.user = user;
        return this;
    }

    public DbContext withStatement(String statement) {
        this.statement = statement;
        return this;
    }

    /**
     * A buffer from {@code pool} to copy the statement into; the span owns it until it is recycled. Asking twice
     * returns the same buffer, cleared.
     */
    public CharBuffer statementBuffer(CharBufferPool pool) {
        if (statementBuffer == null) {
            statementBuffer = pool.take();
            statementBufferPool = pool;
        }
        statementBuffer.clear();
        return statementBuffer;
    }

    /** Drops a statement buffer whose capture failed, so no partial or garbled text is reported. */
    public void discardStatementBuffer() {
        if (statementBuffer != null) {
            statementBufferPool.recycle(statementBuffer);
            statementBuffer = null;
            statementBufferPool = null;
        }
    }

    public String type() {
        return type;
    }

    public String instance() {
        return instance;
    }

    public String user() {
        return user;
    }

    /** The statement text: the captured buffer (flipped for reading) or the plain string; null when none. */
    public CharSequence statement() {
        if (statementBuffer != null) {
            return statementBuffer;
        }
        return statement;
    }

    public boolean hasContent() {
        return type != null || instance != null || user != null || statement != null || statementBuffer != null;
    }

    void reset() {
        type = null;
        instance = null;
        user = null;
        statement = null;
        discardStatementBuffer();
    }
}
