"""In-process fakes that stand in for remote services during tests and benchmarks."""
