import Dialplan

/// The bundled prompt names (`PromptLibrary.Name` raw values in the Media module).
let bundledPrompts: Set<String> = [
    "welcome", "enter-meeting-id", "enter-passcode", "wrong-entry", "joining", "meeting-e2ee", "goodbye", "echo-test", "tone-test",
    "meeting-not-found", "waiting-for-host", "removed", "lobby", "meeting-downgraded",
]

/// Loads `text` as `t.dialplan` (plus `files` reachable by include) and checks it.
func check(_ text: String, files: [String: String] = [:]) -> DialplanCheckResult {
    DialplanChecker(knownPrompts: bundledPrompts).load([DialplanSource(path: "t.dialplan", text: text)]) { path, _ in
        (path == "t.dialplan" ? text : files[path]).map { DialplanSource(path: path, text: $0) }
    }
}

/// The diagnostics' descriptions (`file:line:column: message` and any hint line).
func messages(_ text: String, files: [String: String] = [:]) -> [String] {
    check(text, files: files).diagnostics.map(\.description)
}

/// Only the first lines (no hints).
func heads(_ text: String, files: [String: String] = [:]) -> [String] {
    check(text, files: files).diagnostics.map { "\($0.location): \($0.message)" }
}

/// A minimal valid plan to wrap statements in.
func route(_ body: String, name: String = "r") -> String {
    "route \(name) {\n    match called 1000\n\(body)\n}\n"
}
