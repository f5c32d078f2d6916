/// Masks volunteers' names for reports the publicity office posts (`--public`):
/// 王继跃 → 王*跃, 张伟 → 张*.
///
/// The mask is written as `NameMask.marker` (a private-use scalar) while the view is built;
/// it becomes `*`, as the contract shows it: in HTML by the escaper (`HTMLEscape`), in Markdown
/// once the document is whole (`MarkdownMasks.place`: one literal run per table cell or
/// paragraph, the others `\*`, so that two masked names cannot pair into emphasis).
///
/// Names inside free text are found by one Aho–Corasick automaton over the UTF-8 bytes of every
/// known name: a text is read once whatever the size of the roster (checking every name
/// against every text made `--public` on 100,000 volunteers take minutes).
public struct NameMask: Sendable {
    /// The mask character while a view is built (U+E000); `HTMLEscape` and `MarkdownMasks` replace it.
    public static let marker: Unicode.Scalar = "\u{E000}"
    static let markerBytes: [UInt8] = [0xEE, 0x80, 0x80]

    /// Known names (two characters or more), without repeats, in the order first given.
    let names: [String]
    private let automaton: Automaton?

    /// - Complexity: O(total bytes of `names`).
    public init(names: [String]) {
        var seen = Set<String>()
        var list: [String] = []
        seen.reserveCapacity(names.count)
        for n in names where n.utf8.count >= 2 && n.unicodeScalars.count >= 2 && seen.insert(n).inserted { list.append(n) }
        self.names = list
        automaton = list.isEmpty ? nil : Automaton(list)
    }

    /// A name masked: first and last character kept (one kept for two), the rest `marker`.
    static func masked(_ name: String) -> String {
        let c = Array(name)
        let m = String(Character(marker))
        switch c.count {
        case 0: return ""
        case 1: return m
        case 2: return "\(c[0])\(m)"
        default: return "\(c[0])\(String(repeating: m, count: c.count - 2))\(c[c.count - 1])"
        }
    }

    /// A name masked with `*`: 王继跃 → 王*跃.
    public static func mask(_ name: String) -> String {
        String(masked(name).unicodeScalars.map { $0 == marker ? "*" : Character($0) })
    }

    /// Masks every known name inside free text (details, descriptions, summaries, paths), the
    /// leftmost first and, of names starting at one place, the longest (欧阳小明 before 小明).
    /// - Complexity: O(bytes of `text` + names found), whatever the number of names.
    public func maskNames(in text: String) -> String {
        guard let automaton else { return text }
        var text = text
        let found: [(start: Int, end: Int, name: Int)] = text.withUTF8 { automaton.matches(in: $0) }
        if found.isEmpty { return text }
        var out: [UInt8] = []
        text.withUTF8 { b in
            out.reserveCapacity(b.count + 8)
            var at = 0
            for m in found {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[at..<m.start]))
                out.append(contentsOf: Array(NameMask.masked(names[m.name]).utf8))
                at = m.end
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[at..<b.count]))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Aho–Corasick over bytes: a trie of the names with failure links, and for each node the
    /// name it spells (if any) and the nearest node on its failure chain that spells one, so
    /// that every name ending at a place is found.
    final class Automaton: @unchecked Sendable {
        /// (node << 8 | byte) → child node.
        private var next: EdgeTable
        private var fail: [Int32] = [0]
        /// Per node: the name it spells, or -1; and that name's length in bytes.
        private var output: [Int32] = [-1]
        private var outputLength: [Int32] = [0]
        /// Per node: the nearest node on its failure chain that spells a name (0: none).
        private var nameLink: [Int32] = [0]

        init(_ names: [String]) {
            var total = 0
            for n in names { total += n.utf8.count }
            next = EdgeTable(capacity: total)
            fail.reserveCapacity(total + 1)
            nameLink.reserveCapacity(total + 1)
            output.reserveCapacity(total + 1)
            outputLength.reserveCapacity(total + 1)
            // Children as first-child / next-sibling lists: no array per node.
            var firstChild: [Int32] = [-1], sibling: [Int32] = [-1], byteOf: [UInt8] = [0]
            firstChild.reserveCapacity(total + 1)
            sibling.reserveCapacity(total + 1)
            byteOf.reserveCapacity(total + 1)
            for (index, name) in names.enumerated() {
                var node = 0
                for byte in name.utf8 {
                    let key = node << 8 | Int(byte)
                    if let child = next[key] {
                        node = Int(child)
                    } else {
                        let child = Int32(fail.count)
                        next.insert(key, child)
                        fail.append(0)
                        nameLink.append(0)
                        output.append(-1)
                        outputLength.append(0)
                        firstChild.append(-1)
                        sibling.append(firstChild[node])
                        byteOf.append(byte)
                        firstChild[node] = child
                        node = Int(child)
                    }
                }
                let length = Int32(name.utf8.count)
                if output[node] < 0 { output[node] = Int32(index); outputLength[node] = length }
            }
            // Failure links, breadth first; a node's name link is its failure if that spells a
            // name, else its failure's name link.
            var queue: [Int32] = []
            queue.reserveCapacity(fail.count)
            var first = firstChild[0]
            while first >= 0 { queue.append(first); first = sibling[Int(first)] }
            var head = 0
            while head < queue.count {
                let node = Int(queue[head])
                head += 1
                var child = firstChild[node]
                while child >= 0 {
                    defer { child = sibling[Int(child)] }
                    let c = Int(child)
                    let byte = Int(byteOf[c])
                    if node != 0 {
                        var f = Int(fail[node])
                        while true {
                            if let t = next[f << 8 | byte] { fail[c] = t; break }
                            if f == 0 { fail[c] = 0; break }
                            f = Int(fail[f])
                        }
                    }
                    let f = Int(fail[c])
                    nameLink[c] = output[f] >= 0 ? Int32(f) : nameLink[f]
                    queue.append(child)
                }
            }
        }

        /// Non-overlapping matches, leftmost first and longest at a start, as byte ranges: what a
        /// scan trying every name at every place would choose.
        func matches(in b: UnsafeBufferPointer<UInt8>) -> [(start: Int, end: Int, name: Int)] {
            var candidates: [(start: Int, end: Int, name: Int)] = []
            var node = 0
            for i in 0..<b.count {
                let byte = Int(b[i])
                while true {
                    if let t = next[node << 8 | byte] { node = Int(t); break }
                    if node == 0 { break }
                    node = Int(fail[node])
                }
                // Every name ending here: this node's, then along the name links.
                var v = node
                if output[v] < 0 { v = Int(nameLink[v]) }
                while v != 0 {
                    let length = Int(outputLength[v])
                    candidates.append((i + 1 - length, i + 1, Int(output[v])))
                    v = Int(nameLink[v])
                }
            }
            guard candidates.count > 1 else { return candidates }
            // Leftmost, then longest; drop what overlaps a match already taken.
            candidates.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            var chosen: [(start: Int, end: Int, name: Int)] = []
            var reach = 0
            for m in candidates where m.start >= reach {
                chosen.append(m)
                reach = m.end
            }
            return chosen
        }
    }

    /// Open addressing with linear probing over `Int` keys: the automaton's edges, looked up
    /// once or more per byte of every text and built for every name of the roster.
    struct EdgeTable {
        private var keys: [Int]
        private var values: [Int32]
        private let mask: Int

        init(capacity: Int) {
            var size = 16
            while size < capacity * 2 { size <<= 1 }
            keys = [Int](repeating: -1, count: size)
            values = [Int32](repeating: 0, count: size)
            mask = size - 1
        }

        @inline(__always) private func slot(_ key: Int) -> Int {
            Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
        }

        subscript(key: Int) -> Int32? {
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == -1 { return nil }
                i = (i + 1) & mask
            }
        }

        mutating func insert(_ key: Int, _ value: Int32) {
            var i = slot(key)
            while keys[i] != -1 && keys[i] != key { i = (i + 1) & mask }
            keys[i] = key
            values[i] = value
        }
    }
}
