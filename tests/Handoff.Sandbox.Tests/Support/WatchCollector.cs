using Handoff.Testing;
using k8s;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Handoff.Sandbox.Tests.Support;

/// <summary>Collects the events of a KubernetesClient watch in the background until a condition holds.</summary>
internal sealed class WatchCollector<T> : IDisposable
{
    private readonly List<(WatchEventType Type, T Object)> _events = [];
    private readonly CancellationTokenSource _cts;
    private readonly Task _loop;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WatchCollector(Func<CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> stream, CancellationToken ct)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _loop = Task.Run(
            async () =>
        {
            try
            {
                await foreach (var (type, obj) in stream(_cts.Token))
                {
                    lock (_events)
                    {
                        _events.Add((type, obj));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
            }
            finally
            {
                _closed.TrySetResult();
            }
        }, CancellationToken.None);
    }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Closed => _closed.Task;

    public static WatchCollector<T> Start(Func<CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> stream, CancellationToken ct) => new(stream, ct);

    public List<(WatchEventType Type, T Object)> Snapshot()
    {
        lock (_events)
        {
            return [.. _events];
        }
    }

    public async Task<List<(WatchEventType Type, T Object)>> WaitForAsync(Func<List<(WatchEventType Type, T Object)>, bool> condition, TimeSpan? timeout = null)
    {
        await Wait.UntilAsync(() => condition(Snapshot()), "watch events", timeout);
        return Snapshot();
    }

    /// <summary>Maps a custom-object watch (objects as JSON) to a typed one.</summary>
    public static async IAsyncEnumerable<(WatchEventType, T)> Typed(IAsyncEnumerable<(WatchEventType, object)> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var (type, obj) in source.WithCancellation(ct))
        {
            var json = obj is JsonElement e ? e.GetRawText() : JsonSerializer.Serialize(obj);
            yield return (type, KubernetesJson.Deserialize<T>(json));
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _cts.Dispose();
    }
}
