// Every file of this target sees the project's paths, scratch folders and
// child processes (TestSupport), as the engine's tests do.
@_exported import TestSupport
