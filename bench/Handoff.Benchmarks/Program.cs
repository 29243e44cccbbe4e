using System.Globalization;
using BenchmarkDotNet.Running;
using Handoff.Benchmarks.EndToEnd;

namespace Handoff.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen by BenchmarkDotNet's command line, e.g.
/// <c>dotnet run -c Release --project bench/Handoff.Benchmarks -- --filter '*'</c> or <c>--filter '*AllocationBenchmarks*'</c>;
/// or one end-to-end run without BenchmarkDotNet (to profile the operator with dotnet-trace or dotnet-counters):
/// <c>-- endtoend [functions=10000] [nodes=5000] [--hold]</c> (<c>--hold</c> keeps everything up until Enter). See docs/performance.md for the subsets and the plots.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["endtoend", .. var rest])
        {
            var hold = rest.Contains("--hold");
            rest = [.. rest.Where(a => a != "--hold")];
            var functions = rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 10_000;
            var nodes = rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : OperatorEndToEndBenchmarks.Nodes;
            await using var cluster = await EndToEndCluster.StartAsync(nodes, CancellationToken.None);
            Console.WriteLine($"operator pid {cluster.Operator.Pid.ToString(CultureInfo.InvariantCulture)} ready with {nodes} nodes after {cluster.Operator.CpuTime().TotalSeconds:F1} s of CPU, {(await cluster.Operator.MemoryAsync(CancellationToken.None)).WorkingSetBytes / 1048576} MB working set; metrics at {cluster.Operator.MetricsAddress}");
            var result = await EndToEndRun.RunAsync(cluster, functions, CancellationToken.None);
            Console.WriteLine(result.Describe());
            if (hold)
            {
                Console.WriteLine("holding the cluster and the operator for inspection; press Enter to stop");
                await Console.In.ReadLineAsync();
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
