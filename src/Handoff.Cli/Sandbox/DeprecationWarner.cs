using Handoff.Api.V1Alpha1;
using Handoff.Cli.Planning;
using Handoff.Operator.Infrastructure;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handoff.Cli.Sandbox;

/// <summary>
/// Watches HandoffFunctions in the sandbox and warns once for each that still uses the deprecated
/// <c>handoff.dev/sandbox-duration</c> (on itself or its pod template) instead of <c>handoff.dev/duration</c>; the
/// sandbox's kubelet still honours the old name.
/// </summary>
internal sealed class DeprecationWarner : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private Task _watch = Task.CompletedTask;

    private DeprecationWarner(IKubernetes client) => _client = client;

    /// <param name="connection">Owned: its client is disposed with the warner.</param>
    /// <param name="output">Where warnings go: the progress output, or stderr when --until-done owns stdout.</param>
    public static async Task<DeprecationWarner> StartAsync(SandboxConnection connection, TextWriter output, CancellationToken cancellationToken)
    {
        var warner = new DeprecationWarner(connection.Client);
        var watcher = new ResourceWatcher<HandoffFunction>(
            WatchSources.HandoffFunctions(connection.Streams, "", TimeSpan.FromSeconds(60)), TimeProvider.System, TimeSpan.Zero,
            NullLogger<ResourceWatcher<HandoffFunction>>.Instance);
        watcher.Changed += (type, f) =>
        {
            if (type is WatchEventType.Added or WatchEventType.Modified && DurationAnnotations.Deprecated(f) is not null)
            {
                var key = $"{f.Metadata.NamespaceProperty}/{f.Metadata.Name}";
                bool first;
                lock (warner._warned)
                {
                    first = warner._warned.Add(key);
                }

                if (first)
                {
                    output.WriteLine($"warning: {HandoffApi.FunctionKind} {key}: {DurationAnnotations.DeprecationMessage}");
                }
            }
        };
        warner._watch = Task.Run(() => watcher.RunAsync(warner._stopping.Token), CancellationToken.None);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, warner._stopping.Token);
        await watcher.WaitForSyncAsync(linked.Token);
        return warner;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watch.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _stopping.Dispose();
        (_client as IDisposable)?.Dispose();
    }
}
