package dev.nimbleapm.agent.premain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigOption;

/** The configuration table of README.md lists every option the packaged agent knows, with its default. */
class ReadmeDocumentsEveryOptionTest {

    @Test
    void everyOptionHasARowInTheReadme() throws IOException {
        Path readme = Paths.get(System.getProperty("user.dir")).getParent().resolve("README.md");
        String text = new String(Files.readAllBytes(readme), StandardCharsets.UTF_8);
        for (ConfigOption<?> option : ConfigLoader.discoverOptions(getClass().getClassLoader())) {
            assertThat(text).as("README row of " + option.key()).contains("| `" + option.key() + "` |");
            if (option.isDynamic()) {
                assertThat(rowOf(text, option.key())).as("dynamic marker of " + option.key()).contains("*dynamic*");
            }
        }
    }

    private static String rowOf(String text, String key) {
        int start = text.indexOf("| `" + key + "` |");
        return text.substring(start, text.indexOf('\n', start));
    }
}
