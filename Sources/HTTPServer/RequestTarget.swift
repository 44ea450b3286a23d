/// Splits and decodes a request-target (RFC 9112 §3.2) into a path and query items.
enum RequestTarget {
    /// Returns the decoded path and query of `target`, or nil when `strict`
    /// and the target is malformed (unknown form, bad `%` escape).
    ///
    /// Forms: origin-form `/p?q`, absolute-form `http://host/p?q` (the
    /// authority is dropped), and asterisk-form `*` (path `*`). Without
    /// `strict`, anything else is taken as a path, and a bad `%` escape is
    /// kept literally.
    static func parse(_ target: [UInt8], strict: Bool) -> (path: String, query: [QueryItem])? {
        var pathStart = 0
        if target == [UInt8(ascii: "*")] {
            return ("*", [])
        } else if target.first == UInt8(ascii: "/") {
            pathStart = 0
        } else if let afterAuthority = authorityEnd(target) {
            pathStart = afterAuthority
        } else if strict {
            return nil
        }
        let questionMark = target[pathStart...].firstIndex(of: UInt8(ascii: "?"))
        let rawPath = target[pathStart..<(questionMark ?? target.endIndex)]
        let path: String
        if rawPath.isEmpty {
            path = "/"
        } else if let decoded = percentDecode(rawPath, plusIsSpace: false) {
            path = String(decoding: decoded, as: UTF8.self)
        } else if strict {
            return nil
        } else {
            path = String(decoding: rawPath, as: UTF8.self)
        }
        guard let questionMark else { return (path, []) }
        guard let query = parseQuery(target[(questionMark + 1)...], strict: strict) else { return nil }
        return (path, query)
    }

    /// For an absolute-form target (`scheme://authority...`), the index just
    /// past the authority; nil for anything else.
    private static func authorityEnd(_ target: [UInt8]) -> Int? {
        var index = 0
        while index < target.count, isSchemeByte(target[index], first: index == 0) {
            index += 1
        }
        guard index > 0, target.count >= index + 3, target[index] == UInt8(ascii: ":"),
            target[index + 1] == UInt8(ascii: "/"), target[index + 2] == UInt8(ascii: "/")
        else { return nil }
        index += 3
        while index < target.count, target[index] != UInt8(ascii: "/"), target[index] != UInt8(ascii: "?") {
            index += 1
        }
        return index
    }

    private static func isSchemeByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            !first
        default: false
        }
    }

    /// Parses `a=1&b=x+y&c` into items; empty segments are skipped, a
    /// segment without `=` has the empty value.
    static func parseQuery(_ bytes: ArraySlice<UInt8>, strict: Bool) -> [QueryItem]? {
        var items: [QueryItem] = []
        for segment in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = segment.firstIndex(of: UInt8(ascii: "="))
            let rawName = segment[..<(equals ?? segment.endIndex)]
            let rawValue = equals.map { segment[($0 + 1)...] } ?? []
            guard let name = decodeComponent(rawName, strict: strict),
                let value = decodeComponent(rawValue, strict: strict)
            else { return nil }
            items.append(QueryItem(name: name, value: value))
        }
        return items
    }

    private static func decodeComponent(_ raw: ArraySlice<UInt8>, strict: Bool) -> String? {
        if let decoded = percentDecode(raw, plusIsSpace: true) {
            return String(decoding: decoded, as: UTF8.self)
        }
        guard !strict else { return nil }
        let spaced = raw.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }
        return String(decoding: spaced, as: UTF8.self)
    }
}

/// Decodes `%XX` escapes (and `+` as a space when asked); nil when a `%` is
/// not followed by two hex digits. Invalid UTF-8 in the result is left to the
/// caller (it becomes U+FFFD when made a String).
func percentDecode(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let byte = bytes[index]
        if byte == UInt8(ascii: "%") {
            guard index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else { return nil }
            output.append(high << 4 | low)
            index += 3
        } else {
            output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
    }
    return output
}

@inline(__always)
private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
