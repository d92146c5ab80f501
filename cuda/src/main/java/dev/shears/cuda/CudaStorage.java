package dev.shears.cuda;

import dev.shears.tensor.DType;
import dev.shears.tensor.Device;
import dev.shears.tensor.spi.Storage;

/** A tensor's elements in device memory: {@code size} elements of {@code dtype}, packed. */
public final class CudaStorage implements Storage {
    private final Device device;
    private final DeviceMemory memory;
    private final DType dtype;
    private final int size;

    public CudaStorage(DeviceMemory memory, DType dtype, int size) {
        if ((long) size * dtype.byteSize() > memory.bytes()) {
            throw new IllegalArgumentException("CudaStorage: " + size + " " + dtype + " elements do not fit in "
                    + memory);
        }
        this.device = Device.cuda(memory.device().index());
        this.memory = memory;
        this.dtype = dtype;
        this.size = size;
    }

    public DeviceMemory memory() {
        return memory;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return "CudaStorage[" + size + " " + dtype + " on " + device + "]";
    }
}
