// Heap allocations per operation, counted in-process: the AllocationCounter target (linked into this
// executable only) interposes the malloc family for the whole process, the Swift runtime and the C
// libraries (libopus, libsrtp2 and its NSS backend) included. See docs/performance.md, "Allocations on
// the per-packet path".
import AllocationCounter

#if canImport(Glibc)
    import Glibc  // strdup, free: the sanity check's C library allocation
#endif

/// Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, ...) since the process started.
func allocationCount() -> UInt64 { dialgate_allocation_count() }

/// Steady-state allocations per frame: one batch as warm-up, then `batches` batches counted; the
/// batches' preparation (the phone's packets) is not counted, only the frames.
func allocationsPerFrame(_ loop: FrameLoop, batches: Int) -> Double {
    loop.prepare(batchFrames)
    for index in 0..<batchFrames { loop.frame(index) }
    var counted: UInt64 = 0
    for _ in 0..<batches {
        loop.prepare(batchFrames)
        let before = allocationCount()
        for index in 0..<batchFrames { loop.frame(index) }
        counted += allocationCount() - before
    }
    return Double(counted) / Double(batches * batchFrames)
}

/// Steady-state allocations per operation: one batch as warm-up, then `batches` batches counted
/// (`reset` runs between batches, not counted).
func allocationsPerOperation(batches: Int, _ operation: () -> Void, reset: () -> Void = {}) -> Double {
    for _ in 0..<batchFrames { operation() }
    reset()
    var counted: UInt64 = 0
    for _ in 0..<batches {
        let before = allocationCount()
        for _ in 0..<batchFrames { operation() }
        counted += allocationCount() - before
        reset()
    }
    return Double(counted) / Double(batches * batchFrames)
}

/// Proves the counter before any figure is printed: a loop that makes one `[UInt8]` per iteration
/// must count exactly 1 per iteration (the Swift runtime's malloc, in libswiftCore), a `strdup` in
/// libc exactly 1 (a C library's malloc), and an empty loop 0. Stops the benchmark otherwise (the
/// counts would mean nothing), unless `fatal` is false (`--frames` under valgrind, whose memcheck
/// replaces malloc itself, so nothing reaches the counter): then the line says so.
func allocationSanityLine(fatal: Bool = true) -> String {
    let iterations = 1000
    let size = opaque(64)
    /// Allocations of `iterations` runs of `body`, after one uncounted run (the first call of a
    /// generic function instantiates its type metadata: a one-time allocation, not steady state).
    func counted(_ body: () -> Void) -> UInt64 {
        body()
        let before = allocationCount()
        for _ in 0..<iterations { body() }
        return allocationCount() - before
    }
    let arrays = counted { consume([UInt8](repeating: 0, count: size)) }
    // Through `opaque`, so the optimizer cannot see the pair and drop both (LLVM knows strdup); from a C
    // string made once, as a Swift string passed to C may be copied to a temporary in a debug build.
    let text = Array("dialgate".utf8CString)
    let strings = text.withUnsafeBufferPointer { text in counted { free(opaque(strdup(text.baseAddress!))) } }
    let nothing = counted { consume(size) }
    guard arrays == UInt64(iterations), strings == UInt64(iterations), nothing == 0 else {
        let problem =
            "allocation counter is wrong: [UInt8] \(arrays), strdup \(strings), empty loop \(nothing) for \(iterations) iterations "
            + "(expected \(iterations), \(iterations), 0): is the AllocationCounter target linked and exporting malloc, "
            + "and no other tool (valgrind) replacing it?"
        if fatal { fatalError(problem) }
        return problem + " Allocation counts below are not valid."
    }
    return "allocation counter: [UInt8](repeating:count:) 1.00 per iteration, strdup 1.00, empty loop 0.00 (\(iterations) iterations each)"
}

/// An allocation figure for the tables: two decimals (periodic work such as RTCP shows as a fraction).
func allocationFigure(_ value: Double) -> String { fixed(value, 2) }
