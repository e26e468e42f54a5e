package dev.zkscale.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadProfileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("trace.csv"), text);
    }

    @Test
    @DisplayName("the built-in curve is steady, ramps up, peaks in the middle and falls")
    void builtIn() {
        LoadProfile p = LoadProfile.builtIn(Demo.PASSES);
        int peak = IntStream.range(0, Demo.PASSES)
                .boxed()
                .max((a, b) -> Double.compare(p.at(a), p.at(b)))
                .orElseThrow();
        assertEquals(1.0, p.at(peak));
        assertTrue(peak > Demo.PASSES / 2 && peak < Demo.PASSES * 2 / 3, "peak at pass " + peak);
        assertEquals(p.at(0), p.at(5));
        assertTrue(p.at(40) > p.at(0));
        assertTrue(p.at(Demo.PASSES - 1) < p.at(0));
    }

    @Test
    @DisplayName("a trace's whole span is compressed into the passes: each gets the mean of its slice, peak = 1")
    void compressed() throws Exception {
        LoadProfile p = LoadProfile.trace(file("seconds,value\n0,1\n10,3\n20,10\n30,10\n40,10\n"), 2);
        assertEquals(0.2, p.at(0), 1e-9); // rows at 0 and 10: mean 2, of the peak mean 10
        assertEquals(1.0, p.at(1), 1e-9); // rows at 20, 30 and 40 (the last slice ends with the span)
    }

    @Test
    @DisplayName("the header may name the columns in any order, with others; without a header the first two count")
    void columns() throws Exception {
        LoadProfile named = LoadProfile.trace(file("# comment\nhost,value,seconds\nx,4,0\nx,8,60\n"), 2);
        assertEquals(0.5, named.at(0), 1e-9);
        LoadProfile bare = LoadProfile.trace(file("0,4\n60,8\n"), 2);
        assertEquals(0.5, bare.at(0), 1e-9);
    }

    @Test
    @DisplayName("bad traces are refused naming the file, the line and what is wrong")
    void refused() throws Exception {
        Path f = file("seconds,value\n0,1\n0,2\n");
        assertEquals(
                "trace " + f + " line 3: seconds must increase, got 0 after 0",
                assertThrows(DemoException.class, () -> LoadProfile.trace(f, 10))
                        .getMessage());
        Path g = file("time,load\n0,1\n");
        assertEquals(
                "trace " + g + " line 1: the header must name the columns seconds and value, got \"time,load\"",
                assertThrows(DemoException.class, () -> LoadProfile.trace(g, 10))
                        .getMessage());
        Path h = file("seconds,value\n0,1\n");
        assertEquals(
                "trace " + h + ": needs at least two rows of seconds,value, found 1",
                assertThrows(DemoException.class, () -> LoadProfile.trace(h, 10))
                        .getMessage());
        Path z = file("seconds,value\n0,0\n30,0\n");
        assertEquals(
                "trace " + z + ": every value is 0; there is no load to scale on",
                assertThrows(DemoException.class, () -> LoadProfile.trace(z, 10))
                        .getMessage());
    }
}
