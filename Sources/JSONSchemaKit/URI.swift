/// Minimal RFC 3986 URI references: parsing, recomposition and resolution of
/// a reference against a base (§5.2), enough for `$id`, `$ref` and
/// `$dynamicRef`. No normalisation beyond dot-segment removal.
struct URIReference: Sendable, Hashable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    init(parsing text: String) {
        var rest = Substring(text)
        // fragment
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        } else {
            fragment = nil
        }
        // query
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        } else {
            query = nil
        }
        // scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" before any '/'
        scheme = nil
        if let colon = rest.firstIndex(of: ":") {
            let candidate = rest[..<colon]
            if let first = candidate.unicodeScalars.first, first.isASCIILetter,
                candidate.unicodeScalars.allSatisfy({
                    $0.isASCIILetter || $0.isASCIIDigit || $0 == "+" || $0 == "-" || $0 == "."
                })
            {
                scheme = String(candidate)
                rest = rest[rest.index(after: colon)...]
            }
        }
        // authority
        if rest.hasPrefix("//") {
            let afterSlashes = rest.index(rest.startIndex, offsetBy: 2)
            let end = rest[afterSlashes...].firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[afterSlashes..<end])
            rest = rest[end...]
        } else {
            authority = nil
        }
        path = String(rest)
    }

    var isAbsolute: Bool { scheme != nil }

    var string: String {
        var out = ""
        if let scheme { out += scheme + ":" }
        if let authority { out += "//" + authority }
        out += path
        if let query { out += "?" + query }
        if let fragment { out += "#" + fragment }
        return out
    }

    /// The URI without its fragment.
    var withoutFragment: URIReference {
        var u = self
        u.fragment = nil
        return u
    }

    /// RFC 3986 §5.2.2: resolves `self` (a reference) against `base` (an absolute URI).
    func resolved(against base: URIReference) -> URIReference {
        var t = URIReference(scheme: nil, authority: nil, path: "", query: nil, fragment: fragment)
        if let scheme {
            t.scheme = scheme
            t.authority = authority
            t.path = URIReference.removeDotSegments(path)
            t.query = query
        } else {
            if authority != nil {
                t.authority = authority
                t.path = URIReference.removeDotSegments(path)
                t.query = query
            } else {
                if path.isEmpty {
                    t.path = base.path
                    t.query = query ?? base.query
                } else {
                    if path.hasPrefix("/") {
                        t.path = URIReference.removeDotSegments(path)
                    } else {
                        t.path = URIReference.removeDotSegments(URIReference.merge(base: base, path))
                    }
                    t.query = query
                }
                t.authority = base.authority
            }
            t.scheme = base.scheme
        }
        return t
    }

    private static func merge(base: URIReference, _ path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        if let slash = base.path.lastIndex(of: "/") {
            return String(base.path[...slash]) + path
        }
        return path
    }

    /// Whether `path` has a segment "." or "..": the only segments
    /// `removeDotSegments` changes (a path without one comes back as it is).
    /// Over bytes: `contains(".")` went through Foundation's string search,
    /// and every `$ref` the suite's schemas hold ("….schema.json#/…") has a
    /// dot in its path.
    static func hasDotSegment(_ path: String) -> Bool {
        var length = 0
        var dots = true
        for b in path.utf8 {
            if b == UInt8(ascii: "/") {
                if length > 0, length <= 2, dots { return true }
                length = 0
                dots = true
            } else {
                length += 1
                if b != UInt8(ascii: ".") { dots = false }
            }
        }
        return length > 0 && length <= 2 && dots
    }

    static func removeDotSegments(_ path: String) -> String {
        guard hasDotSegment(path) else { return path }
        var input = Substring(path)
        // Work segment-wise following RFC 3986 §5.2.4.
        var out = ""
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if let last = out.lastIndex(of: "/") { out = String(out[..<last]) } else { out = "" }
            } else if input == "/.." {
                input = "/"
                if let last = out.lastIndex(of: "/") { out = String(out[..<last]) } else { out = "" }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                // move the first segment (with its leading "/" if any) to the output
                var end = input.startIndex
                if input.first == "/" { end = input.index(after: end) }
                end = input[end...].firstIndex(of: "/") ?? input.endIndex
                out += input[..<end]
                input = input[end...]
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) }
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
}

enum URIs {
    /// Resolves `reference` against `base` (an absolute URI) and returns the text.
    static func resolve(_ reference: String, against base: String) -> String {
        // A fragment alone ("#/$defs/x") keeps the base's scheme, authority,
        // path and query as they are (RFC 3986 §5.2.2, an empty path): the
        // base's text up to its own fragment, which parsing and recomposing
        // gave back byte for byte.
        if reference.utf8.first == UInt8(ascii: "#") { return split(base).base + reference }
        let r = URIReference(parsing: reference)
        // Parsing loses nothing: without a dot segment the text is the answer.
        if r.isAbsolute { return URIReference.hasDotSegment(r.path) ? r.normalizedAbsolute.string : reference }
        return r.resolved(against: URIReference(parsing: base)).string
    }

    /// Splits "uri#fragment" into the URI (no fragment) and the fragment (nil if none).
    static func split(_ uri: String) -> (base: String, fragment: String?) {
        if let hash = uri.firstIndex(of: "#") {
            return (String(uri[..<hash]), String(uri[uri.index(after: hash)...]))
        }
        return (uri, nil)
    }

    /// Makes `uri` absolute: a reference without a scheme is resolved against `file:///`.
    static func absolute(_ uri: String) -> String {
        let r = URIReference(parsing: uri)
        if r.isAbsolute { return URIReference.hasDotSegment(r.path) ? r.normalizedAbsolute.string : uri }
        return r.resolved(against: URIReference(parsing: "file:///")).string
    }
}

extension URIReference {
    /// Absolute URI with dot segments removed from its path.
    fileprivate var normalizedAbsolute: URIReference {
        var u = self
        u.path = URIReference.removeDotSegments(path)
        return u
    }
}
