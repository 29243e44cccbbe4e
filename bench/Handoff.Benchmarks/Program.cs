using BenchmarkDotNet.Running;

// Runs the benchmarks chosen by BenchmarkDotNet's command line, e.g.
//   dotnet run -c Release --project bench/Handoff.Benchmarks -- --filter '*'
//   dotnet run -c Release --project bench/Handoff.Benchmarks -- --filter '*AllocationBenchmarks*'
// See docs/performance.md for the subsets and how the results are plotted.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>The entry point (a named type so <see cref="BenchmarkSwitcher"/> can find this assembly).</summary>
public sealed partial class Program;
