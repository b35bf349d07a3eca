"""What the test modules share and are not tests themselves: the backends
under test and their fixture, number-like objects, the leak workload."""
