import Foundation
import JSONKit

/// Reads `Cases/api.json`, what the pages say of the API as a whole: its
/// name, the host their URLs use, and a note for readers of exports. The
/// file is optional: without it an export names the API after the suite
/// folder and states no server.
func loadAPIInfo(root: String, display: String, sink: DiagnosticSink) -> APIInfo? {
    let file = display + "/api.json"
    guard FileManager.default.fileExists(atPath: root + "/api.json") else { return nil }
    guard let node = SuiteFiles.parse(path: root + "/api.json", display: file, sink: sink),
        let o = node.object(keys: ["title", "version", "description", "servers"])
    else { return nil }
    let title = o.required("title")?.nonEmptyString
    let version = o.required("version")?.nonEmptyString
    let description = o.optional("description")?.nonEmptyString
    var servers: [APIInfo.Server] = []
    for s in o.optional("servers")?.array ?? [] {
        guard let so = s.object(keys: ["url", "description"]), let un = so.required("url"), let url = un.nonEmptyString
        else { continue }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            un.error("must be an absolute http(s) URL", hint: "as the pages' URL lines give it, without the path")
            continue
        }
        servers.append(APIInfo.Server(url: url, description: so.optional("description")?.nonEmptyString))
    }
    guard let title, let version else { return nil }
    return APIInfo(title: title, version: version, description: description, servers: servers)
}
