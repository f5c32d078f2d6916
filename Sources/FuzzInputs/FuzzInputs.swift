// libFuzzer targets for the untrusted-input readers and the privacy filters: `FUZZ_TARGET=csv|values|xml|import|privacy`.
// Built only by scripts/fuzz.sh (`-sanitize=fuzzer,address -DFUZZING`); a plain build gets a stub.
#if FUZZING
import FiveHours
#if canImport(Glibc)
import Glibc
#endif

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: FuzzCallback) -> Int32

nonisolated(unsafe) var fuzzTarget: ([UInt8]) -> Void = FuzzEntry.csv

/// libFuzzer's own `main` (linked in whole, though SwiftPM's `main` is the one that runs) needs
/// this symbol to exist; the driver below is what calls the target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzTarget(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main
struct FuzzInputs {
    static func main() {
        switch getenv("FUZZ_TARGET").map({ String(cString: $0) }) ?? "" {
        case "csv": fuzzTarget = FuzzEntry.csv
        case "values": fuzzTarget = FuzzEntry.values
        case "xml": fuzzTarget = FuzzEntry.xml
        case "import": fuzzTarget = FuzzEntry.importer
        case "privacy": fuzzTarget = FuzzEntry.privacy
        default:
            print("set FUZZ_TARGET to csv, values, xml, import or privacy")
            exit(2)
        }
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzTestOneInput(data, size) })
    }
}
#else
@main
struct FuzzInputs {
    static func main() {
        print("FuzzInputs was built without -DFUZZING: run scripts/fuzz.sh")
    }
}
#endif
