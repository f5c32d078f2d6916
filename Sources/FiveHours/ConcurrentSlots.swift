import Dispatch

/// The results of a concurrent loop's iterations, one slot each.
///
/// Iterations write their own slot at once, without a lock: each slot is its own memory, so no
/// two threads touch the same bytes (an array in a shared class would be one value mutated from
/// several threads). Read the slots only after the loop has returned.
final class ConcurrentSlots<Value>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Value?>
    let count: Int

    init(_ count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    subscript(k: Int) -> Value? {
        get { base[k] }
        set { base[k] = newValue }
    }

    /// Takes the value out of a slot (leaving it empty), so that the caller holds the only copy.
    func take(_ k: Int) -> Value? {
        let v = base[k]
        base[k] = nil
        return v
    }

    /// Reads slot `k` in place (after the concurrent writes), leaving it filled.
    func peek<T>(_ k: Int, _ body: (Value?) -> T) -> T { body(base[k]) }
}

extension Array {
    /// Changes each element with `change`, on every core — in eight parts of the array, each
    /// part its own memory — once there are `parallelFrom` elements (fewer are changed in one
    /// loop here: starting threads would cost more).
    mutating func changeEach(parallelFrom: Int, _ change: @Sendable (inout Element) -> Void) {
        withUnsafeMutableBufferPointer { buffer in
            let all = UnsafeSendable(buffer)
            let parts = buffer.count < parallelFrom ? 1 : 8
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let items = all.value
                for i in (items.count * p / parts)..<(items.count * (p + 1) / parts) { change(&items[i]) }
            }
        }
    }

    /// `map`, on every core in eight parts once there are `parallelFrom` elements.
    func map<T>(parallelFrom: Int, _ transform: @Sendable (Element) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = UnsafeSendable(buffer)
            let parts = count < parallelFrom ? 1 : 8
            self.withUnsafeBufferPointer { items in
                let input = UnsafeSendable(items)
                DispatchQueue.concurrentPerform(iterations: parts) { p in
                    for i in (input.value.count * p / parts)..<(input.value.count * (p + 1) / parts) {
                        (out.value.baseAddress! + i).initialize(to: transform(input.value[i]))
                    }
                }
            }
            initialized = count
        }
    }
}
