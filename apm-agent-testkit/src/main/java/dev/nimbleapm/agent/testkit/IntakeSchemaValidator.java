package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks one intake v2 event against the JSON Schema the Elastic APM Server uses for its type.
 *
 * <p>Exists so that every event an agent produces can be held to the server's real contract (types,
 * {@code required}, {@code maxLength}, {@code pattern}, {@code anyOf}/{@code allOf}/{@code if-then}) without running an
 * APM Server. The five draft-07 schemas are bundled under {@code intake-v2-spec/} on the classpath (copied from
 * elastic/apm-data, see the README there). Instances are immutable and thread-safe.
 */
public final class IntakeSchemaValidator {

    /** The event types of the intake v2 protocol, i.e. the keys of the one-key wrapper objects. */
    public static final List<String> EVENT_TYPES = List.of("metadata", "transaction", "span", "error", "metricset");

    private static final String RESOURCE_DIR = "intake-v2-spec/";

    private final Map<String, JsonSchema> schemas;

    private IntakeSchemaValidator(Map<String, JsonSchema> schemas) {
        this.schemas = schemas;
    }

    /** Loads the bundled schemas from the classpath. */
    public static IntakeSchemaValidator load() {
        ObjectMapper mapper = new ObjectMapper();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_PATH)
                .locale(Locale.ENGLISH) // readable messages whatever the machine's locale
                .build();
        Map<String, JsonSchema> schemas = new LinkedHashMap<>();
        for (String type : EVENT_TYPES) {
            String resource = RESOURCE_DIR + type + ".json";
            try (InputStream in = IntakeSchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("schema resource missing from the classpath: " + resource);
                }
                JsonNode schemaNode = mapper.readTree(in);
                JsonSchema schema = factory.getSchema(SchemaLocation.of("classpath:" + resource), schemaNode, config);
                // build every keyword validator now: lazy initialisation is not meant to race between threads
                schema.initializeValidators();
                schemas.put(type, schema);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema " + resource, e);
            }
        }
        return new IntakeSchemaValidator(Collections.unmodifiableMap(schemas));
    }

    /**
     * Validates the inner object of one event.
     *
     * @param eventType one of {@link #EVENT_TYPES}
     * @param inner     the object inside the wrapper, e.g. {@code X} in {@code {"span": X}}
     * @return readable messages, one per violation, each starting with the JSON path; empty when valid
     */
    public List<String> validate(String eventType, JsonNode inner) {
        JsonSchema schema = schemas.get(eventType);
        if (schema == null) {
            return List.of("unknown event type '" + eventType + "' (expected one of " + EVENT_TYPES + ")");
        }
        Set<ValidationMessage> messages = schema.validate(inner);
        List<String> result = new ArrayList<>(messages.size());
        for (ValidationMessage message : messages) {
            result.add(message.getMessage());
        }
        return List.copyOf(result);
    }
}
