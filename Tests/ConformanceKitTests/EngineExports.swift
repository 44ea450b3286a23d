// Every file of this target sees the project's paths, scratch folders and
// child processes (TestSupport); the engine's tests need nothing else of ours.
@_exported import TestSupport
