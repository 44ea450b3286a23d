// Every file of this target sees the tests' support: the project's paths and
// scratch folders (TestSupport), the CLI and the simulator in-process
// (ConformanceTesting).
@_exported import ConformanceTesting
@_exported import TestSupport
