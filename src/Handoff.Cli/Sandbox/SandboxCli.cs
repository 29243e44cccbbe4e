using System.Runtime.InteropServices;
using Handoff.Core.Allocation;
using Handoff.Api;
using Handoff.Operator;
using Handoff.Sandbox;
using Microsoft.Extensions.Logging;

namespace Handoff.Cli.Sandbox;

/// <summary>What <c>handoff sandbox</c> was asked to do, beyond the emulator itself.</summary>
internal sealed record SandboxCliOptions
{
    /// <summary>The emulator's options; <see cref="SandboxHostOptions.Apply"/> is ignored (see <see cref="Apply"/>).</summary>
    public SandboxHostOptions Host { get; init; } = new();

    /// <summary>Manifests applied after the CRDs are installed and the operator started, in order.</summary>
    public IReadOnlyList<string> Apply { get; init; } = [];

    /// <summary>Go duration of a pod without a <c>handoff.dev/duration</c> annotation.</summary>
    public string PodDuration { get; init; } = "1s";

    /// <summary>
    /// Go duration: each simulated kubelet posts its Node's status this often although nothing changed, as a real
    /// kubelet does every 5m (<see cref="SandboxOptions.NodeStatusReportPeriod"/>); null = only on change.
    /// </summary>
    public string? NodeStatusPeriod { get; init; }

    /// <summary>Run the Handoff operator in-process (default); false = the bare emulator.</summary>
    public bool Operator { get; init; } = true;

    /// <summary>The operator's default strategy; null = the operator's default (FirstAvailable).</summary>
    public string? Strategy { get; init; }

    /// <summary>
    /// The operator's node discovery (<c>--discover-nodes</c> with <c>--discover-nodes-selector</c>): null = off, "" =
    /// every Node.
    /// </summary>
    public string? DiscoverNodes { get; init; }

    /// <summary>Exit once every HandoffFunction is Succeeded, Failed or stuck (and every Job and plain pod that names Handoff is done).</summary>
    public bool UntilDone { get; init; }

    /// <summary>Go duration for <see cref="UntilDone"/>; null = 5m.</summary>
    public string? Timeout { get; init; }

    /// <summary>With <see cref="UntilDone"/>: how long nothing may change before stuck functions are taken as final.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Runs <see cref="SandboxHost"/> (with the operator unless <c>--no-operator</c>) until Ctrl-C or SIGTERM, or until done.</summary>
internal static class SandboxCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <param name="interactive">Output is a terminal: <c>--until-done</c> redraws a table instead of printing one line per change.</param>
    /// <param name="companions">Extra companions, started after the operator and before the manifests are applied.</param>
    public static async Task<int> RunAsync(
        SandboxCliOptions options, TextWriter output, TextWriter error, bool interactive,
        IReadOnlyList<SandboxCompanion>? companions, CancellationToken cancellationToken)
    {
        if (await ValidateAsync(options, error) is not { } valid)
        {
            return UntilDoneExitCodes.Error;
        }

        output = TextWriter.Synchronized(output);
        error = TextWriter.Synchronized(error);
        var readyWriter = new ReadySignalWriter(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);

        UntilDoneMonitor? monitor = null;
        NodeMirror? mirror = null;
        SandboxManifests? manifests = null;
        var all = new List<SandboxCompanion>
        {
            // Read before anything starts (a bad file ends the run at once); Node manifests are registered before the
            // operator's first list (SandboxApply).
            async (server, _, ct) =>
            {
                manifests = SandboxManifests.Read(
                    options.Apply.Select(p => Path.GetFullPath(p, options.Host.WorkingDirectory)), nodesAsSimulated: options.Operator, ct);
                await SandboxApply.RegisterNodesAsync(server, manifests, options.UntilDone ? null : output);
                return null;
            },
        };
        if (options.Operator)
        {
            all.Add(async (server, _, ct) => mirror = await NodeMirror.StartAsync(server, SandboxConnection.Open(server), options.UntilDone ? null : output, ct));
            all.Add(async (_, kubeconfig, ct) => new StopReportingErrors("operator", error, await OperatorHost.StartInProcessAsync(
                kubeconfig,
                new OperatorOptions
                {
                    MetricsAddress = "",
                    ProbeAddress = "",
                    LogLevel = nameof(LogLevel.Warning),
                    DefaultStrategy = options.Strategy ?? nameof(AllocationStrategy.FirstAvailable),
                    DiscoverNodes = options.DiscoverNodes is not null,
                    DiscoverNodesSelector = options.DiscoverNodes ?? "",
                    // The emulator shares the process: its allocations are not the operator's to trim after.
                    IdleMemoryTrim = TimeSpan.Zero,
                },
                new OperatorHostSettings { ConfigureLogging = logging => logging.AddProvider(new WriterLoggerProvider(error)) },
                ct)));
        }

        all.Add(async (server, _, ct) => await DeprecationWarner.StartAsync(SandboxConnection.Open(server), options.UntilDone ? error : output, ct));
        all.AddRange(companions ?? []);
        if (options.UntilDone)
        {
            all.Add(async (server, _, ct) =>
            {
                monitor = new UntilDoneMonitor(
                    SandboxConnection.Open(server), output, interactive, valid.Timeout, options.SettleTime, TimeProvider.System,
                    readyWriter.Ready, () => ThreadPool.QueueUserWorkItem(_ => CancelQuietly(stop)));
                await monitor.StartAsync(ct);
                return monitor;
            });
        }

        all.Add(async (server, _, ct) =>
        {
            await SandboxApply.ApplyAsync(
                server, manifests!, mirror, output, () => monitor?.MarkApplyStarting(), options.DiscoverNodes, ct);
            monitor?.MarkApplied();
            return null;
        });

        var code = await SandboxHost.RunAsync(
            options.Host with { DefaultPodDuration = valid.PodDuration, NodeStatusReportPeriod = valid.NodeStatusPeriod, Apply = [] }, readyWriter, error, all, stop.Token);
        if (code == 0 && monitor is not null)
        {
            if (monitor.ExitCode is { } done)
            {
                code = done;
            }
            else
            {
                await monitor.WriteInterruptedAsync();
                code = UntilDoneExitCodes.Interrupted;
            }
        }

        await output.FlushAsync(CancellationToken.None);
        return code;
    }

    /// <summary>Stops a companion; a failure while stopping is reported on stderr instead of replacing the exit code.</summary>
    private sealed class StopReportingErrors(string name, TextWriter error, IAsyncDisposable? inner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (inner is not null)
                {
                    await inner.DisposeAsync();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await error.WriteLineAsync($"{name}: error: while stopping: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    private sealed record Validated(TimeSpan PodDuration, TimeSpan Timeout, TimeSpan? NodeStatusPeriod);

    private static async Task<Validated?> ValidateAsync(SandboxCliOptions options, TextWriter error)
    {
        async Task<Validated?> Fail(string message)
        {
            await error.WriteLineAsync("error: " + message);
            return null;
        }

        if (!GoDuration.TryParse(options.PodDuration, out var podDuration))
        {
            return await Fail($"--pod-duration: \"{options.PodDuration}\" is not a duration (examples: 1s, 500ms, 2m)");
        }

        var timeout = DefaultTimeout;
        if (options.Timeout is { } timeoutText)
        {
            if (!options.UntilDone)
            {
                return await Fail("--timeout applies only with --until-done");
            }

            if (!GoDuration.TryParse(timeoutText, out timeout) || timeout <= TimeSpan.Zero)
            {
                return await Fail($"--timeout: \"{timeoutText}\" is not a positive duration (examples: 30s, 5m, 1h)");
            }
        }

        TimeSpan? nodeStatusPeriod = null;
        if (options.NodeStatusPeriod is { } periodText)
        {
            if (!options.Host.SimulateKubelet)
            {
                return await Fail("--node-status-period is how often the simulated kubelets post their Nodes' status; it cannot be used with --no-kubelet");
            }

            if (!GoDuration.TryParse(periodText, out var period) || period <= TimeSpan.Zero)
            {
                return await Fail($"--node-status-period: \"{periodText}\" is not a positive duration (examples: 5m, 10s)");
            }

            nodeStatusPeriod = period;
        }

        if (options.Strategy is { } strategy)
        {
            if (!options.Operator)
            {
                return await Fail("--strategy is the operator's default strategy; it cannot be used with --no-operator");
            }

            if (!Allocators.TryParseStrategy(strategy, out _))
            {
                return await Fail($"--strategy: \"{strategy}\" is not one of {string.Join(", ", Allocators.StrategyNames)}");
            }
        }

        if (options.DiscoverNodes is not null && !options.Operator)
        {
            return await Fail("--discover-nodes is the operator's node discovery; it cannot be used with --no-operator");
        }

        if (options.UntilDone && !options.Operator)
        {
            return await Fail("--until-done needs the operator to run the functions; drop --no-operator");
        }

        if (options.UntilDone && options.Apply.Count == 0)
        {
            return await Fail("--until-done needs at least one --apply PATH (the functions to wait for)");
        }

        foreach (var path in options.Apply)
        {
            var full = Path.GetFullPath(path, options.Host.WorkingDirectory);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                return await Fail($"the path \"{path}\" does not exist");
            }
        }

        return new Validated(podDuration, timeout, nodeStatusPeriod);
    }
}
