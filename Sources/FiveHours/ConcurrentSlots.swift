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
