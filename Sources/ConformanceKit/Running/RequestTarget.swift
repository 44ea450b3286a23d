import Foundation

/// Where a request goes, read once from its URL's text: the scheme, host and
/// port `URL` reads, and the origin-form target `requestBytes` writes.
///
/// Foundation's `URL` parsed every request's text, and its getters read it
/// again (1.2 % of our client's CPU in the rate benchmark: perf, issue 24).
/// The text the runner makes (`http://host:port/path?query`, RFC 3986's
/// characters only) is read here from its bytes; any other text by `URL`, as
/// before. `HotPathTests` compares the two readings.
struct RequestTarget: Sendable {
    let scheme: String?
    let host: String?
    let port: Int?
    let originForm: String

    /// nil where `URL` reads no URL in `text`.
    init?(_ text: String) {
        if let plain = RequestTarget(plain: text) {
            self = plain
            return
        }
        guard let url = URL(string: text) else { return nil }
        self.init(url: url)
    }

    /// What `URL` reads in `url`.
    init(url: URL) {
        scheme = url.scheme
        host = url.host
        port = url.port
        originForm = PlainHTTP.originForm(url.absoluteString) ?? PlainHTTP.componentsOriginForm(url)
    }

    /// `text` read from its bytes when it is `http://` or `https://`, a host of
    /// ASCII letters, digits, dots and hyphens, at most a port of one to five
    /// digits, then a path, query and fragment of RFC 3986's characters (each
    /// `%` starting an escape, no second `#`); nil for any other text.
    init?(plain text: String) {
        var text = text
        guard
            let read = text.withUTF8({ b -> (scheme: String, host: String, port: Int?, originForm: String)? in
                let n = b.count
                var i: Int
                let scheme: String
                if n >= 7, b[0] == 0x68, b[1] == 0x74, b[2] == 0x74, b[3] == 0x70, b[4] == 0x3A, b[5] == 0x2F, b[6] == 0x2F {
                    i = 7
                    scheme = "http"
                } else if n >= 8, b[0] == 0x68, b[1] == 0x74, b[2] == 0x74, b[3] == 0x70, b[4] == 0x73, b[5] == 0x3A, b[6] == 0x2F, b[7] == 0x2F {
                    i = 8
                    scheme = "https"
                } else {
                    return nil
                }
                let hostStart = i
                while i < n {
                    let c = b[i]
                    guard (0x61...0x7A).contains(c) || (0x41...0x5A).contains(c) || (0x30...0x39).contains(c) || c == 0x2E || c == 0x2D else { break }
                    i += 1
                }
                guard i > hostStart else { return nil }
                let host = String(decoding: UnsafeBufferPointer(rebasing: b[hostStart..<i]), as: UTF8.self)
                var port: Int?
                if i < n, b[i] == 0x3A {
                    i += 1
                    var value = 0, digits = 0
                    while i < n, (0x30...0x39).contains(b[i]), digits < 6 {
                        value = value * 10 + Int(b[i] - 0x30)
                        digits += 1
                        i += 1
                    }
                    guard (1...5).contains(digits) else { return nil }
                    port = value
                }
                guard i == n || b[i] == 0x2F || b[i] == 0x3F || b[i] == 0x23 else { return nil }
                let pathStart = i
                var fragment = false
                while i < n {
                    let c = b[i]
                    guard PlainHTTP.uriByte(c) else { return nil }
                    if c == 0x23 {
                        if fragment { return nil }
                        fragment = true
                    } else if c == 0x25 {
                        guard i + 2 < n, b[i + 1].isHexDigit, b[i + 2].isHexDigit else { return nil }
                    }
                    i += 1
                }
                return (scheme, host, port, PlainHTTP.originForm(b, from: pathStart))
            })
        else { return nil }
        scheme = read.scheme
        host = read.host
        port = read.port
        originForm = read.originForm
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool { (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}
