import Foundation
import JSONKit

/// What a level or role name may look like: upper-case letters, digits, `_`
/// and `-`, starting with a letter (as the pages write levels).
func isAccessName(_ s: String) -> Bool {
    guard let first = s.utf8.first, first >= 0x41, first <= 0x5A else { return false }
    return s.utf8.allSatisfy { b in (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D }
}

extension SuiteLoader {
    /// Reads only `root/access.json` (for commands that need the roles, not the whole suite).
    public static func loadAccess(root: String) throws(SuiteLoadError) -> AccessModel {
        let sink = DiagnosticSink()
        let access = readAccessFile(root: root, display: displayPath(root), sink: sink)
        if sink.hasErrors { throw SuiteLoadError(sink.items) }
        return access
    }
}

/// Reads `Cases/access.json`: the documented access levels, in order, and
/// the roles cases run as, each with its level, how its user relates to the
/// fixture customer and whether it carries a credential.
func readAccessFile(root: String, display: String, sink: DiagnosticSink) -> AccessModel {
    let file = display + "/access.json"
    guard FileManager.default.fileExists(atPath: root + "/access.json") else {
        sink.add(
            Diagnostic(
                file: file, keyPath: "", message: "the access file is missing",
                hint: "declare the documented access levels and the roles cases run as in access.json (meta/access.schema.json)"))
        return AccessModel(file: file)
    }
    guard let node = SuiteFiles.parse(path: root + "/access.json", display: file, sink: sink) else {
        return AccessModel(file: file)
    }
    return readAccess(node)
}

func readAccess(_ node: Node) -> AccessModel {
    var access = AccessModel(file: node.file)
    guard let o = node.object(keys: ["levels", "roles", "denied"]) else { return access }

    if let dn = o.optional("denied"), let d = dn.object(keys: ["status", "message", "description"]) {
        let status = d.required("status")?.int
        let message = d.required("message")?.nonEmptyString
        if let status, let message { access.denied = DeniedAnswer(status: status, message: message) }
    }

    if let ln = o.required("levels"), let list = ln.array {
        if list.isEmpty { ln.error("must list at least one documented access level") }
        for n in list {
            guard let lo = n.object(keys: ["name", "description"]) else { continue }
            let description = lo.required("description")?.nonEmptyString
            guard let nn = lo.required("name"), let name = accessName(nn, what: "level") else { continue }
            if let k = access.levels.firstIndex(where: { $0.name == name }) {
                nn.error("duplicate level '\(name)' (also levels[\(k)])", hint: "each level is declared once")
                continue
            }
            access.levels.append(AccessLevel(name: name, description: description ?? ""))
        }
    }

    if let rn = o.required("roles"), let list = rn.array {
        if list.isEmpty { rn.error("must list at least one role") }
        for n in list {
            guard let ro = n.object(keys: ["name", "level", "relation", "credential", "description"]) else { continue }
            let description = ro.required("description")?.nonEmptyString
            let credential = ro.optional("credential")?.bool ?? true
            var level: String?
            var ok = true
            if let lv = ro.required("level") {
                if !lv.value.isNull {
                    if let s = lv.string {
                        if access.isLevel(s) {
                            level = s
                        } else {
                            lv.error("unknown level '\(s)'", hint: access.levelHint(for: s))
                            ok = false
                        }
                    } else {
                        ok = false
                    }
                }
            } else {
                ok = false
            }
            if !credential, level != nil {
                ro.optional("level")?.error(
                    "a role without a credential holds no access level",
                    hint: "set \"level\": null, or drop \"credential\": false")
                ok = false
            }
            var relation = RoleRelation.none
            if let rel = ro.optional("relation") {
                if let s = rel.string {
                    if let r = RoleRelation(rawValue: s) {
                        relation = r
                    } else {
                        rel.error(
                            "unknown relation '\(s)'",
                            hint: closestMatch(to: s, in: RoleRelation.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" }
                                ?? "relations: \(RoleRelation.allCases.map(\.rawValue).joined(separator: ", "))")
                        ok = false
                    }
                } else {
                    ok = false
                }
            } else if level != nil {
                n.error(
                    "missing required key 'relation' (a role holding a level says how its user relates to the fixture customer)",
                    hint: RoleRelation.allCases.map(\.rawValue).joined(separator: ", "))
                ok = false
            }
            guard let nn = ro.required("name"), let name = accessName(nn, what: "role") else { continue }
            if let k = access.roles.firstIndex(where: { $0.role.rawValue == name }) {
                nn.error("duplicate role '\(name)' (also roles[\(k)])", hint: "each role is declared once")
                continue
            }
            guard ok else { continue }
            access.roles.append(
                RoleDefinition(
                    role: Role(name), level: level, relation: relation, credential: credential, description: description ?? ""))
        }
    }
    return access
}

/// A level or role name, or nil (with a diagnostic) when it is not one.
private func accessName(_ n: Node, what: String) -> String? {
    guard let s = n.nonEmptyString else { return nil }
    guard isAccessName(s) else {
        n.error(
            "'\(s)' is not a \(what) name",
            hint: "use upper-case letters, digits, '_' and '-', starting with a letter, as the pages write levels")
        return nil
    }
    return s
}

extension AccessModel {
    func levelHint(for s: String) -> String {
        closestMatch(to: s, in: levelNames).map { "did you mean '\($0)'?" }
            ?? "levels declared in \(file): \(levelNames.joined(separator: ", "))"
    }

    func roleHint(for s: String) -> String {
        closestMatch(to: s, in: roleNames.map(\.rawValue)).map { "did you mean '\($0)'?" }
            ?? "roles declared in \(file): \(roleNames.map(\.rawValue).joined(separator: ", "))"
    }

    /// A role the suite declares, or nil with an "unknown role" diagnostic at `node`.
    func readRole(_ node: Node) -> Role? {
        guard let s = node.string else { return nil }
        let role = Role(s)
        guard isDeclared(role) else {
            node.error("unknown role '\(s)'", hint: roleHint(for: s))
            return nil
        }
        return role
    }

    /// An access level the suite declares, or nil with an "unknown access level" diagnostic at `node`.
    func readLevel(_ node: Node) -> String? {
        guard let s = node.string else { return nil }
        guard isLevel(s) else {
            node.error("unknown access level '\(s)'", hint: levelHint(for: s))
            return nil
        }
        return s
    }
}

/// Every `x-visibility` annotation in the suite's schema files must name
/// declared levels: a misspelt level would hide a field from everyone.
func checkVisibilityLevels(schemas: [String: JSON], access: AccessModel, display: String, sink: DiagnosticSink) {
    guard !access.levels.isEmpty else { return }
    func walk(_ v: JSON, _ path: [JSONPathSegment], file: String) {
        switch v {
        case .object(let o):
            for m in o {
                let here = path + [.key(m.key)]
                if m.key == "x-visibility", case .array(let levels) = m.value {
                    for (i, l) in levels.enumerated() {
                        let node = Node(value: l, path: here + [.index(i)], file: file, sink: sink)
                        _ = access.readLevel(node)
                    }
                } else {
                    walk(m.value, here, file: file)
                }
            }
        case .array(let a):
            for (i, e) in a.enumerated() { walk(e, path + [.index(i)], file: file) }
        default:
            break
        }
    }
    for (ref, doc) in schemas.sorted(by: { $0.key < $1.key }) { walk(doc, [], file: display + "/" + ref) }
}
