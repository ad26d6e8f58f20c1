package dev.nimbleapm.agent.plugin.es.restclient.common;

/**
 * Entity classes whose {@code writeTo} hands over their in-memory bytes in one call. For them the body is copied
 * through {@code writeTo} into a pooled sink: no stream object is created, and only the bytes that fit are decoded.
 * Other repeatable entities are read through {@code getContent()}, which can stop early.
 */
final class InMemoryEntities {

    private static final ClassValue<Boolean> WRITES_FROM_MEMORY = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            return name.equals("org.apache.http.nio.entity.NStringEntity")
                || name.equals("org.apache.http.nio.entity.NByteArrayEntity")
                || name.equals("org.apache.http.entity.StringEntity")
                || name.equals("org.apache.http.entity.ByteArrayEntity");
        }
    };

    private InMemoryEntities() {
    }

    static boolean writesFromMemory(Class<?> entityClass) {
        return WRITES_FROM_MEMORY.get(entityClass);
    }
}
