package dev.nimbleapm.agent.attach;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmSelectionTest {

    private static final JvmDescriptor SHOP = new JvmDescriptor("101", "com.example.ShopApplication --port 8080", "app");
    private static final JvmDescriptor JAR = new JvmDescriptor("102", "/opt/billing/billing-2.1.jar", "app");
    private static final JvmDescriptor IDE = new JvmDescriptor("103", "org.jetbrains.idea.Main", "dev");
    private static final JvmDescriptor SELF = new JvmDescriptor("999", "apm-agent-attach-cli.jar --include-all", "app");

    @Test
    void explicitPidsAreSelected() {
        JvmSelection selection = new JvmSelection().pid("102");
        assertThat(selection.matches(JAR, "999")).isTrue();
        assertThat(selection.matches(SHOP, "999")).isFalse();
    }

    @Test
    void includePatternsMatchTheMainClassOrJar() {
        JvmSelection selection = new JvmSelection().include("Shop").include("billing-.*\\.jar");
        assertThat(selection.matches(SHOP, "999")).isTrue();
        assertThat(selection.matches(JAR, "999")).isTrue();
        assertThat(selection.matches(IDE, "999")).isFalse();
    }

    @Test
    void includeDoesNotLookAtArguments() {
        assertThat(new JvmSelection().include("8080").matches(SHOP, "999")).isFalse();
    }

    @Test
    void excludesWinOverIncludesAndAll() {
        JvmSelection selection = new JvmSelection().all().exclude("jetbrains").exclude("--port");
        assertThat(selection.matches(IDE, "999")).isFalse();
        assertThat(selection.matches(SHOP, "999")).as("excluded by its arguments").isFalse();
        assertThat(selection.matches(JAR, "999")).isTrue();
    }

    @Test
    void theCliNeverSelectsItself() {
        assertThat(new JvmSelection().all().matches(SELF, "999")).isFalse();
        assertThat(new JvmSelection().pid("999").matches(SELF, "999")).isFalse();
    }

    @Test
    void noSelectionMeansList() {
        assertThat(new JvmSelection().isEmpty()).isTrue();
        assertThat(new JvmSelection().exclude("x").isEmpty()).isTrue();
        assertThat(new JvmSelection().all().isEmpty()).isFalse();
    }
}
