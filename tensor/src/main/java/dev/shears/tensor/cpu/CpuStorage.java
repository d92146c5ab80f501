package dev.shears.tensor.cpu;

import dev.shears.tensor.DType;
import dev.shears.tensor.DTypeException;
import dev.shears.tensor.Device;
import dev.shears.tensor.spi.Storage;

/** Heap storage: a {@code float[]} (F32), {@code int[]} (I32) or {@code byte[]} (U8). */
public final class CpuStorage implements Storage {
    private final DType dtype;
    private final Object array;
    private final int size;

    private CpuStorage(DType dtype, Object array, int size) {
        this.dtype = dtype;
        this.array = array;
        this.size = size;
    }

    static CpuStorage allocate(DType dtype, int size) {
        return switch (dtype) {
            case F32 -> new CpuStorage(dtype, new float[size], size);
            case I32 -> new CpuStorage(dtype, new int[size], size);
            case U8 -> new CpuStorage(dtype, new byte[size], size);
            case F16, BF16 -> throw new DTypeException("CpuStorage: " + dtype
                    + " is a storage format the CPU backend does not compute with; convert to F32");
        };
    }

    static CpuStorage of(float[] data) {
        return new CpuStorage(DType.F32, data, data.length);
    }

    static CpuStorage of(int[] data) {
        return new CpuStorage(DType.I32, data, data.length);
    }

    static CpuStorage of(byte[] data) {
        return new CpuStorage(DType.U8, data, data.length);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    /** The backing array of an F32 storage (shared, not copied). */
    public float[] floats() {
        if (dtype != DType.F32) {
            throw new DTypeException("CpuStorage.floats: storage is " + dtype + ", not F32");
        }
        return (float[]) array;
    }

    /** The backing array of an I32 storage (shared, not copied). */
    public int[] ints() {
        if (dtype != DType.I32) {
            throw new DTypeException("CpuStorage.ints: storage is " + dtype + ", not I32");
        }
        return (int[]) array;
    }

    /** The backing array of a U8 storage (shared, not copied). */
    public byte[] bytes() {
        if (dtype != DType.U8) {
            throw new DTypeException("CpuStorage.bytes: storage is " + dtype + ", not U8");
        }
        return (byte[]) array;
    }
}
