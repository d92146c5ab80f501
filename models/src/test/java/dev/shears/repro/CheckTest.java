package dev.shears.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CheckTest {

    @Test
    void linesKeepTheOrderFormatNumbersAndEndWithTheVerdict() {
        Check c = Check.named("gmp").value("s", 0.95).value("acc_global", 98.12345, 2).value("note", "two words")
                .value("gap", Double.NaN, 1).verdict(Check.Verdict.of(false));
        assertEquals("CHECK gmp s=0.95 acc_global=98.12 note=two_words gap=nan verdict=FAIL", c.line());
        assertEquals("CHECK lth level=3", Check.named("lth").value("level", 3).data().line());
        assertEquals(Check.Verdict.PASS, Check.Verdict.of(true));
    }

    @Test
    void rejectsNamesAndKeysThatWouldBreakTheLine() {
        assertThrows(IllegalArgumentException.class, () -> Check.named("two words"));
        assertThrows(IllegalArgumentException.class, () -> Check.named("x").value("a=b", 1));
        assertThrows(IllegalArgumentException.class, () -> Check.named("x").value("a b", 1));
    }
}
