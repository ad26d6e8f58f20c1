package dev.nimbleapm.agent.core.model;

/** Whether the operation a transaction or span stands for succeeded, as the intake protocol spells it. */
public enum Outcome {
    SUCCESS("success"), FAILURE("failure"), UNKNOWN("unknown");

    private final String jsonValue;

    Outcome(String jsonValue) {
        this.jsonValue = jsonValue;
    }

    public String jsonValue() {
        return jsonValue;
    }
}
