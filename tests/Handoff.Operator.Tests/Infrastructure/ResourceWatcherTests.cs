using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Handoff.Operator.Infrastructure;
using Handoff.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.Infrastructure;

public sealed class ResourceWatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Pod Pod(string name, int rv, string uid = "") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            ResourceVersion = rv.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Uid = uid.Length == 0 ? name : uid,
        },
    };

    /// <summary>A scripted API: each list returns the current objects; each watch reads from a channel the test feeds.</summary>
    private sealed class FakeSource : IWatchSource<V1Pod>
    {
        public List<V1Pod> Objects { get; } = [];

        public string ListVersion { get; set; } = "1";

        public int Lists { get; private set; }

        public List<string> WatchedFrom { get; } = [];

        public Channel<Func<ResourceWatchEvent<V1Pod>>> Events { get; private set; } = Channel.CreateUnbounded<Func<ResourceWatchEvent<V1Pod>>>();

        public int FailNextLists { get; set; }

        public string Name => "fake";

        public async IAsyncEnumerable<ResourceListPage<V1Pod>> ListAsync(
            int pageSize, Func<V1Pod, V1Pod> transform, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (FailNextLists > 0)
            {
                FailNextLists--;
                throw new HttpRequestException("connection refused");
            }

            Lists++;
            foreach (var chunk in Objects.ToList().Chunk(pageSize > 0 ? pageSize : Math.Max(1, Objects.Count)))
            {
                yield return new ResourceListPage<V1Pod>([.. chunk.Select(transform)], ListVersion);
            }
        }

        public async IAsyncEnumerable<ResourceWatchEvent<V1Pod>> WatchAsync(
            string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (WatchedFrom)
            {
                WatchedFrom.Add(resourceVersion);
            }

            var channel = Events;
            await foreach (var next in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return next();
            }
        }

        /// <summary>Ends the current watch normally (like a server-side timeout or a closed connection).</summary>
        public void EndWatch()
        {
            var old = Events;
            Events = Channel.CreateUnbounded<Func<ResourceWatchEvent<V1Pod>>>();
            old.Writer.Complete();
        }

        public void Send(WatchEventType type, V1Pod pod) => Events.Writer.TryWrite(() => new(type, pod));

        public void Throw(Exception ex) => Events.Writer.TryWrite(() => throw ex);
    }

    private static (ResourceWatcher<V1Pod> Watcher, List<(WatchEventType, string)> Seen) Create(FakeSource source, TimeProvider time, TimeSpan resync)
    {
        var watcher = new ResourceWatcher<V1Pod>(source, time, resync, NullLogger.Instance);
        var seen = new List<(WatchEventType, string)>();
        watcher.Changed += (t, p) =>
        {
            lock (seen)
            {
                seen.Add((t, p.Metadata.Name));
            }
        };
        return (watcher, seen);
    }

    private static string? Label(V1Pod pod) => pod.Metadata.Labels is { } labels && labels.TryGetValue("v", out var v) ? v : null;

    [Fact]
    public async Task A_modification_found_the_same_leaves_the_cached_object_and_tells_no_handler()
    {
        var source = new FakeSource { ListVersion = "10" };
        source.Objects.Add(Pod("a", 5));
        // The same: anything but a new label (as a Node whose facts stand).
        var watcher = new ResourceWatcher<V1Pod>(source, TimeProvider.System, TimeSpan.Zero, NullLogger.Instance, same: (held, now) => Label(held) == Label(now));
        var seen = new List<(WatchEventType, string?)>();
        watcher.Changed += (t, p) =>
        {
            lock (seen)
            {
                seen.Add((t, p.Metadata.ResourceVersion));
            }
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        await watcher.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Wait.UntilAsync(() => source.WatchedFrom.Contains("10"), "the watch starts at the list's version");
        var held = watcher.Cache.Get("ns", "a")!;
        lock (seen)
        {
            seen.Clear(); // the list's own
        }

        source.Send(WatchEventType.Modified, Pod("a", 11));
        source.Send(WatchEventType.Added, Pod("b", 13));
        await Wait.UntilAsync(() => watcher.Cache.Get("ns", "b") is not null, "events are applied");
        Assert.Same(held, watcher.Cache.Get("ns", "a"));

        var labelled = Pod("a", 12);
        labelled.Metadata.Labels = new Dictionary<string, string> { ["v"] = "1" };
        source.Send(WatchEventType.Modified, labelled);
        await Wait.UntilAsync(() => watcher.Cache.Get("ns", "a")!.Metadata.ResourceVersion == "12", "the labelled version is stored");
        lock (seen)
        {
            Assert.Equal([(WatchEventType.Added, "13"), (WatchEventType.Modified, "12")], seen);
        }

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Lists_then_watches_from_the_list_version_and_keeps_the_cache()
    {
        var source = new FakeSource { ListVersion = "10" };
        source.Objects.Add(Pod("a", 5));
        var (watcher, seen) = Create(source, TimeProvider.System, TimeSpan.Zero);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        await watcher.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.NotNull(watcher.Cache.Get("ns", "a"));
        await Wait.UntilAsync(() => source.WatchedFrom.Contains("10"), "the watch starts at the list's version");

        source.Send(WatchEventType.Added, Pod("b", 11));
        source.Send(WatchEventType.Modified, Pod("a", 12));
        source.Send(WatchEventType.Deleted, Pod("b", 13));
        await Wait.UntilAsync(() => watcher.Cache.Get("ns", "b") is null && watcher.Cache.Get("ns", "a")?.Metadata.ResourceVersion == "12", "events are applied");
        lock (seen)
        {
            Assert.Contains((WatchEventType.Deleted, "b"), seen);
        }

        // A closed watch is renewed from the last version seen, without a re-list.
        source.EndWatch();
        await Wait.UntilAsync(() => source.WatchedFrom.Contains("13"), "the watch is renewed from rv 13");
        Assert.Equal(1, source.Lists);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Gone_relists_and_reports_objects_deleted_meanwhile()
    {
        var source = new FakeSource { ListVersion = "10" };
        source.Objects.Add(Pod("a", 5));
        source.Objects.Add(Pod("b", 6));
        var (watcher, seen) = Create(source, TimeProvider.System, TimeSpan.Zero);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        await watcher.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Wait.UntilAsync(() => source.WatchedFrom.Count == 1, "watching");

        source.Objects.RemoveAt(1);
        source.Objects.Add(Pod("c", 20));
        source.ListVersion = "21";
        source.Throw(new ResourceExpiredException("too old resource version"));
        await Wait.UntilAsync(() => source.Lists == 2 && source.WatchedFrom.Contains("21"), "a re-list and a watch from 21");
        Assert.Null(watcher.Cache.Get("ns", "b"));
        Assert.NotNull(watcher.Cache.Get("ns", "c"));
        lock (seen)
        {
            Assert.Contains((WatchEventType.Deleted, "b"), seen);
        }

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Errors_back_off_on_the_clock_and_recover()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource { FailNextLists = 2 };
        source.Objects.Add(Pod("a", 1));
        var (watcher, _) = Create(source, time, TimeSpan.Zero);
        var errors = 0;
        watcher.Error += _ => Interlocked.Increment(ref errors);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        // The back-off's timer is set just after the error is reported: the clock moves in small steps until the next
        // try comes, and how far it moved is at least the back-off (never sooner).
        async Task<TimeSpan> AdvanceUntilAsync(Func<bool> done, string what)
        {
            var moved = TimeSpan.Zero;
            await Wait.UntilAsync(
                () =>
                {
                    if (done())
                    {
                        return true;
                    }

                    time.Advance(TimeSpan.FromMilliseconds(10));
                    moved += TimeSpan.FromMilliseconds(10);
                    return false;
                },
                what);
            return moved;
        }

        await Wait.UntilAsync(() => Volatile.Read(ref errors) == 1, "the first list fails");
        Assert.False(watcher.HasSynced);
        Assert.True(await AdvanceUntilAsync(() => Volatile.Read(ref errors) == 2, "the second list fails") >= TimeSpan.FromMilliseconds(100));
        Assert.True(await AdvanceUntilAsync(() => watcher.HasSynced, "the third list succeeds") >= TimeSpan.FromMilliseconds(200));
        Assert.NotNull(watcher.Cache.Get("ns", "a"));

        // A broken watch stream backs off, then resumes from the last version (no re-list).
        await Wait.UntilAsync(() => source.WatchedFrom.Count == 1, "watching");
        source.Throw(new IOException("connection reset"));
        await Wait.UntilAsync(() => Volatile.Read(ref errors) == 3, "the watch error is reported");
        Assert.True(await AdvanceUntilAsync(() => source.WatchedFrom.Count == 2, "the watch resumes") >= TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, source.Lists);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Resync_hands_every_cached_object_to_the_handlers_again()
    {
        var time = new FakeTimeProvider();
        var source = new FakeSource();
        source.Objects.Add(Pod("a", 1));
        source.Objects.Add(Pod("b", 2));
        var (watcher, seen) = Create(source, time, TimeSpan.FromMinutes(5));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        await watcher.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        int Count()
        {
            lock (seen)
            {
                return seen.Count;
            }
        }

        Assert.Equal(2, Count());
        time.Advance(TimeSpan.FromMinutes(5));
        await Wait.UntilAsync(() => Count() == 4, "a resync");
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public void Cache_never_goes_back_to_an_older_version_of_the_same_object()
    {
        var cache = new ResourceCache<V1Pod>();
        Assert.True(cache.Upsert(Pod("a", 5)));
        Assert.False(cache.Upsert(Pod("a", 4)));
        Assert.Equal("5", cache.Get("ns/a")!.Metadata.ResourceVersion);
        Assert.True(cache.Upsert(Pod("a", 6)));
        // A re-created object (new uid) replaces the old one whatever its version.
        Assert.True(cache.Upsert(Pod("a", 2, uid: "other")));
        Assert.Equal("other", cache.Get("ns", "a")!.Metadata.Uid);
        Assert.True(cache.Remove("ns/a"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_write_response_that_comes_back_after_the_deletion_was_seen_does_not_bring_the_object_back()
    {
        var cache = new ResourceCache<V1Pod>();
        cache.Upsert(Pod("a", 5));

        // A status patch answered at rv 6 while the DELETE (rv 7) was applied first: the cache stays without it.
        Assert.True(cache.Remove("ns/a", Pod("a", 7)));
        Assert.False(cache.Upsert(Pod("a", 6)));
        Assert.False(cache.Upsert(Pod("a", 7)));
        Assert.Null(cache.Get("ns/a"));

        // The same name created again is another object (another uid), whatever its version; so is a later version.
        Assert.True(cache.Upsert(Pod("a", 3, uid: "again")));
        Assert.True(cache.Remove("ns/a"));
        Assert.False(cache.Upsert(Pod("a", 3, uid: "again")));
        Assert.True(cache.Upsert(Pod("a", 9, uid: "again")));

        // A list that no longer has it removes it the same way.
        cache.Replace([Pod("b", 10)]);
        Assert.False(cache.Upsert(Pod("a", 9, uid: "again")));
        Assert.Equal(["b"], cache.List().Select(p => p.Metadata.Name));
    }

    [Fact]
    public void A_new_version_keeps_the_strings_of_the_uid_and_name_it_replaces_and_a_recreated_object_its_own()
    {
        var cache = new ResourceCache<V1Pod>();
        var first = Pod("a", 5, uid: "u-1");
        Assert.True(cache.Upsert(first));

        // As decoded from another watch event: equal strings, other instances.
        var next = Pod(new string(['a']), 6, uid: new string(['u', '-', '1']));
        Assert.NotSame(first.Metadata.Uid, next.Metadata.Uid);
        Assert.NotSame(first.Metadata.Name, next.Metadata.Name);
        Assert.True(cache.Upsert(next));

        var stored = cache.Get("ns/a")!;
        Assert.Equal("6", stored.Metadata.ResourceVersion);
        Assert.Same(first.Metadata.Uid, stored.Metadata.Uid);
        Assert.Same(first.Metadata.Name, stored.Metadata.Name);

        var recreated = Pod("a", 7, uid: "u-2");
        Assert.True(cache.Upsert(recreated));
        Assert.Equal("u-2", cache.Get("ns/a")!.Metadata.Uid);
    }

    [Fact]
    public void Cache_stores_what_its_transform_returns_on_upsert_and_what_a_list_trimmed_with_it_on_replace()
    {
        var cache = new ResourceCache<V1Pod>(p => new V1Pod { Metadata = p.Metadata, Spec = new V1PodSpec { NodeName = "trimmed" } });
        var pod = Pod("a", 5);
        pod.Spec = new V1PodSpec { NodeName = "n1", Containers = [new V1Container { Name = "c" }] };
        Assert.True(cache.Upsert(pod));
        Assert.Equal("trimmed", cache.Get("ns/a")!.Spec.NodeName);
        Assert.Null(cache.Get("ns/a")!.Spec.Containers);
        // The version guard compares the trimmed objects: an older one is still refused.
        Assert.False(cache.Upsert(Pod("a", 4)));
        cache.Replace([cache.Trim(Pod("b", 7))]);
        Assert.Equal("trimmed", cache.Get("ns/b")!.Spec.NodeName);
        Assert.Null(cache.Get("ns/a"));
    }
}
