// Each test class starts its own host on its own storage prefix and task hub, so classes run side by side safely. Most
// of their time is spent waiting on the accelerated legal clock and the engine's queue polling, not on the CPU: four at
// once on the 2-core box keeps both cores busy without starving the clocks (suite time, issue 17.10).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
