// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "fivehours",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fivehours", targets: ["fivehours"]),
        .library(name: "FiveHours", targets: ["FiveHours"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CSystem"),
        // The .xlsx workbooks (`--format xlsx`).
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // The workbooks' sheets, deflated in pieces on both cores (`WorkbookZip`).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // AVX2 scans of bytes (UTF-8 validation, CSV's special bytes) that Swift does not vectorise.
        .target(name: "CFastBytes", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "FiveHours",
            dependencies: [
                "CLibXML2",
                "CCrypto",
                "CSystem",
                "CFastBytes",
                "CXlsxWriter",
                "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The templates are compiled into the program (`PackageResources`): an installed
            // binary needs no resource folder beside it, and reads no file of its build tree.
            resources: [
                .embedInCode("Resources/templates/daily-bulletin.html.mustache"),
                .embedInCode("Resources/templates/daily-bulletin.md.mustache"),
                .embedInCode("Resources/templates/monthly-assessment.html.mustache"),
                .embedInCode("Resources/templates/monthly-assessment.md.mustache"),
                .embedInCode("Resources/templates/report.css.mustache"),
                .embedInCode("Resources/templates/weekly-summary.html.mustache"),
                .embedInCode("Resources/templates/weekly-summary.md.mustache"),
                .embedInCode("Resources/templates/yearly-summary.html.mustache"),
                .embedInCode("Resources/templates/yearly-summary.md.mustache"),
            ]
        ),
        .executableTarget(
            name: "fivehours",
            dependencies: [
                "FiveHours",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer targets; a plain build compiles a stub (see scripts/fuzz.sh).
        .executableTarget(
            name: "FuzzInputs",
            dependencies: ["FiveHours"]
        ),
        .testTarget(
            name: "FiveHoursTests",
            // CXlsxWriter: the reference workbook, every cell written by libxlsxwriter itself.
            dependencies: ["FiveHours", "CXlsxWriter"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
