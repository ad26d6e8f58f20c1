package dev.nimbleapm.agent.core.model;

/**
 * Where an exit span went: {@code context.destination} (address, port) and {@code context.service.target}
 * (type, name), from which the reporter derives {@code destination.service.resource}.
 */
public final class DestinationContext {

    private String address;
    private int port = -1;
    private String targetType;
    private String targetName;

    public DestinationContext withAddress(String address, int port) {
        this.address = address;
        this.port = port;
        return this;
    }

    public DestinationContext withTarget(String type, String name) {
        this.targetType = type;
        this.targetName = name;
        return this;
    }

    public DestinationContext withTargetName(String name) {
        this.targetName = name;
        return this;
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    public String targetType() {
        return targetType;
    }

    public String targetName() {
        return targetName;
    }

    void reset() {
        address = null;
        port = -1;
        targetType = null;
        targetName = null;
    }
}
