/// Masks volunteers' names for reports the publicity office posts (`--public`):
/// 王继跃 → 王*跃, 张伟 → 张*.
public struct NameMask: Sendable {
    /// Known names, longest first, so that 欧阳小明 is masked before 小明.
    let names: [String]

    public init(names: [String]) {
        self.names = Array(Set(names.filter { $0.count >= 2 })).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    public static func mask(_ name: String) -> String {
        let c = Array(name)
        switch c.count {
        case 0: return ""
        case 1: return "*"
        case 2: return "\(c[0])*"
        default: return "\(c[0])\(String(repeating: "*", count: c.count - 2))\(c[c.count - 1])"
        }
    }

    /// Masks every known name inside free text (details, descriptions, summaries).
    public func maskNames(in text: String) -> String {
        var t = text
        for n in names where t.contains(n) { t = t.replacingOccurrences(of: n, with: NameMask.mask(n)) }
        return t
    }
}
