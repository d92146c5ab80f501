package dev.shears.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shears.tensor.Tensor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every math method of Var has Tensor's name and signature (Var in place of Tensor). */
class ParityTest {
    private static final Set<String> NOT_MATH = Set.of("constant", "param", "result", "apply", "detach");

    @Test
    void varMathMethodsMirrorTensor() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Method m : Var.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || m.getReturnType() != Var.class || NOT_MATH.contains(m.getName())) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes().clone();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == Var.class) {
                    types[i] = Tensor.class;
                }
            }
            try {
                Method t = Tensor.class.getMethod(m.getName(), types);
                if (t.getReturnType() != Tensor.class || Modifier.isStatic(t.getModifiers()) != Modifier.isStatic(m.getModifiers())) {
                    missing.add(m.toString());
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
            checked++;
        }
        assertTrue(checked > 40, "only " + checked + " methods checked");
        assertTrue(missing.isEmpty(), "Var methods without a Tensor twin: " + missing);
    }
}
