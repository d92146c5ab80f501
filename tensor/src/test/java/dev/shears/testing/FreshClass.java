package dev.shears.testing;

/** Loads private copies of classes, for tests that compare cold (interpreted) and warm (compiled) runs. */
public final class FreshClass {
    private FreshClass() {}

    /**
     * A copy of {@code c} (and its nested classes) defined by its own class loader, so none of its
     * methods has been JIT-compiled yet: the first calls run in the interpreter. Classes in
     * {@code companions} (same package, reached through package-private members) are copied too.
     */
    public static Class<?> load(Class<?> c, Class<?>... companions) throws Exception {
        java.util.List<String> copied = new java.util.ArrayList<>();
        copied.add(c.getName());
        for (Class<?> k : companions) {
            copied.add(k.getName());
        }
        ClassLoader parent = c.getClassLoader();
        ClassLoader loader = new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (copied.stream().noneMatch(k -> name.equals(k) || name.startsWith(k + "$"))) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> done = findLoadedClass(name);
                    if (done != null) {
                        return done;
                    }
                    try (var in = parent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        return defineClass(name, bytes, 0, bytes.length);
                    } catch (java.io.IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
            }
        };
        return loader.loadClass(c.getName());
    }
}
