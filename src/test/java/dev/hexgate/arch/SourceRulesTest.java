package dev.hexgate.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Rules about how the source reads that the compiler and the formatter do not enforce. */
class SourceRulesTest {

    /** A qualified class name used in code, e.g. {@code java.util.Locale.ROOT}: it belongs in an import. */
    private static final Pattern INLINE_QUALIFIED = Pattern
            .compile("(?<![\\w.@\"])(?:java|javax|jakarta|io|org|com|dev)(?:\\.[a-z]\\w*)+\\.[A-Z]\\w*");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    @Test
    void codeNamesClassesByImportNotInline() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (line.startsWith("import ") || line.startsWith("package ") || line.startsWith("*")
                                || line.startsWith("//") || line.startsWith("/*") || line.startsWith("@")) {
                            continue;
                        }
                        Matcher m = INLINE_QUALIFIED.matcher(STRING.matcher(line).replaceAll("\"\""));
                        if (m.find()) {
                            found.add(file + ":" + (i + 1) + " " + m.group());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
