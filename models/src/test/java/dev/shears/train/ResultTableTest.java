package dev.shears.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    @Test
    void markdownRightAlignsNumericColumnsAndEscapesPipes() {
        ResultTable t = new ResultTable("method", "acc %", "gap").row("a|b", "98.10", "-").row("c", "97.5%", "0.3");
        assertEquals("""
                | method | acc % | gap |
                |---|---:|---:|
                | a\\|b | 98.10 | - |
                | c | 97.5% | 0.3 |
                """, t.markdown());
    }

    @Test
    void csvQuotesOnlyCellsThatNeedIt() {
        ResultTable t = new ResultTable("name", "note").row("x", "a, b").row("y", "say \"hi\"");
        assertEquals("name,note\nx,\"a, b\"\ny,\"say \"\"hi\"\"\"\n", t.csv());
        assertEquals(List.of(Map.of("name", "x", "note", "a, b"), Map.of("name", "y", "note", "say \"hi\"")),
                t.records());
    }

    @Test
    void rejectsRowsOfTheWrongLength() {
        ResultTable t = new ResultTable("a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, ResultTable::new);
    }
}
