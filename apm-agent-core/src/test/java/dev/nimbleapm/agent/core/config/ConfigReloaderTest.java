package dev.nimbleapm.agent.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReloaderTest {

    @TempDir
    Path dir;

    @Test
    void dynamicOptionsFollowTheConfigurationFileStaticOnesWaitForARestart() throws IOException {
        Path file = dir.resolve("elasticapm.properties");
        Files.writeString(file, "recording=true\nmax_queue_size=100\n");
        Properties sys = new Properties();
        sys.setProperty("elastic.apm.config_file", file.toString());
        List<ConfigSource> sources = ConfigSources.standard(sys, Map.of(), null, null, null);
        AgentConfig config = ConfigLoader.load(Collections.emptyList(), sources);
        ConfigReloader reloader = ConfigReloader.forSources(config, sources);
        assertThat(config.get(CoreOptions.RECORDING)).isTrue();

        Files.writeString(file, "recording=false\nmax_queue_size=5\ntransaction_sample_rate=0.5\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        reloader.run();

        assertThat(config.get(CoreOptions.RECORDING)).isFalse();
        assertThat(config.get(CoreOptions.TRANSACTION_SAMPLE_RATE)).isEqualTo(0.5);
        assertThat(config.get(CoreOptions.MAX_QUEUE_SIZE)).as("static: needs a restart").isEqualTo(100);
        assertThat(config.origin(CoreOptions.RECORDING)).contains("configuration file");
    }

    @Test
    void noConfigurationFileNoReloader() {
        List<ConfigSource> sources = ConfigSources.standard(new Properties(), Map.of(), null, null, null);
        assertThat(ConfigReloader.forSources(ConfigLoader.load(Collections.emptyList(), sources), sources)).isNull();
    }
}
