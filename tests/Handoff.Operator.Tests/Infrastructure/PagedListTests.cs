using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Handoff.Api.V1Alpha1;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>
/// The informers' lists are paged (limit and continue, over real HTTP against the sandbox): a list longer than a page
/// arrives whole, each object trimmed once; a continue token that expires mid-list starts the list again; undecodable
/// objects on every page are reported.
/// </summary>
public sealed partial class PagedListTests
{
    private static CancellationToken Ct => SandboxCluster.Ct;

    /// <summary>One list or watch GET of the resource, as sent, the status it got and (a list's) the resourceVersion of the page.</summary>
    private sealed record ListCall(bool Watch, string? Limit, string? Continue, string? ResourceVersion, HttpStatusCode Status, string? PageVersion);

    /// <summary>Records the list and watch GETs of one resource; <see cref="AfterPage"/> runs after each page's response.</summary>
    private sealed class ListCalls(string resource) : DelegatingHandler
    {
        public ConcurrentQueue<ListCall> Calls { get; } = new();

        public Func<ListCall, Task>? AfterPage { get; set; }

        public ListCall[] Lists => [.. Calls.Where(c => !c.Watch)];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Get && request.RequestUri is { } uri && uri.AbsolutePath.EndsWith("/" + resource, StringComparison.Ordinal))
            {
                var query = HttpUtility.ParseQueryString(uri.Query);
                var watch = query["watch"] == "true";
                string? pageVersion = null;
                if (!watch && response.IsSuccessStatusCode)
                {
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    pageVersion = page.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
                }

                var call = new ListCall(watch, query["limit"], query["continue"], query["resourceVersion"], response.StatusCode, pageVersion);
                Calls.Enqueue(call);
                if (!call.Watch && AfterPage is { } after)
                {
                    await after(call);
                }
            }

            return response;
        }
    }

    private static async Task CreateFunctionsAsync(SandboxCluster cluster, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await cluster.CreateFunctionAsync(SandboxCluster.Function($"f-{i:00}"));
        }
    }

    /// <summary>An informer of the cluster's namespace's functions over a client whose requests <paramref name="calls"/> sees.</summary>
    private static (ResourceWatcher<HandoffFunction> Watcher, Kubernetes Client) FunctionWatcher(
        SandboxCluster cluster, ListCalls calls, int pageSize, Func<HandoffFunction, HandoffFunction> transform)
    {
        var client = new Kubernetes(cluster.Config, calls);
        var watcher = new ResourceWatcher<HandoffFunction>(
            WatchSources.HandoffFunctions(new ApiStreams(client, cluster.Config), cluster.Namespace, TimeSpan.FromSeconds(30)), TimeProvider.System, TimeSpan.Zero, NullLogger.Instance, transform)
        {
            ListPageSize = pageSize,
        };
        return (watcher, client);
    }

    private static async Task RunUntilSyncedAsync<T>(ResourceWatcher<T> watcher, Func<Task> whileRunning)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = watcher.RunAsync(cts.Token);
        await watcher.WaitForSyncAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await whileRunning();
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task A_page_of_Nodes_larger_than_the_decoders_buffer_arrives_whole_as_the_Nodes_cache_decodes_it()
    {
        // A page of 400 Nodes (~700 KB) is decoded from the response stream a buffer at a time: a converter that read it
        // as if the buffer were the whole document (Skip instead of TrySkip) failed every list of the Nodes' informer
        // beyond a few dozen Nodes — the tests' clusters of a handful of Nodes did not show it.
        await using var cluster = await SandboxCluster.StartAsync(Enumerable.Range(0, 400).Select(i => $"big-{i:D3}"));
        var watcher = new ResourceWatcher<V1Node>(
            WatchSources.Nodes(cluster.Streams, TimeSpan.FromSeconds(30), CacheTransforms.NodeJson), TimeProvider.System, TimeSpan.Zero, NullLogger.Instance,
            CacheTransforms.Node);

        await RunUntilSyncedAsync(watcher, () => Task.CompletedTask);

        Assert.Equal(400, watcher.Cache.Count);
        Assert.All(watcher.Cache.List(), node => Assert.Equal("Ready", Assert.Single(node.Status.Conditions).Type));
        var (first, last) = (watcher.Cache.Get("big-000")!, watcher.Cache.Get("big-399")!);
        Assert.Same(first.Status.Allocatable["cpu"], last.Status.Allocatable["cpu"]);
    }

    [Fact]
    public async Task A_list_longer_than_a_page_arrives_whole_each_object_trimmed_once_and_is_watched_from_the_lists_version()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        await CreateFunctionsAsync(cluster, 25);
        var calls = new ListCalls(HandoffApi.FunctionPlural);
        var trimmed = 0;
        var (watcher, client) = FunctionWatcher(cluster, calls, 10, f =>
        {
            Interlocked.Increment(ref trimmed);
            return CacheTransforms.Function(f);
        });
        using (client)
        {
            await RunUntilSyncedAsync(watcher, () => Wait.UntilAsync(() => calls.Calls.Any(c => c.Watch), "the watch starts"));
        }

        Assert.Equal(25, watcher.Cache.Count);
        Assert.Equal(25, trimmed);
        var lists = calls.Lists;
        Assert.Equal([("10", false), ("10", true), ("10", true)], lists.Select(c => (c.Limit, c.Continue is not null)));
        Assert.All(lists, c => Assert.Equal(HttpStatusCode.OK, c.Status));

        // Every page comes from the first page's snapshot, and the watch starts from it.
        Assert.Single(lists.Select(c => c.PageVersion).Distinct());
        Assert.Equal(lists[0].PageVersion, calls.Calls.First(c => c.Watch).ResourceVersion);
    }

    [Fact]
    public async Task Pods_are_listed_in_pages_too()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        for (var i = 0; i < 7; i++)
        {
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = $"p-{i}" },
                    Spec = new V1PodSpec { SchedulerName = "nobody", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
                },
                cluster.Namespace, cancellationToken: Ct);
        }

        var calls = new ListCalls("pods");
        using var client = new Kubernetes(cluster.Config, calls);
        var watcher = new ResourceWatcher<PodRecord>(
            new MappedWatchSource<V1Pod, PodRecord>(WatchSources.Pods(new ApiStreams(client, cluster.Config), TimeSpan.FromSeconds(30), CacheTransforms.PodJson), CacheTransforms.Pod), TimeProvider.System, TimeSpan.Zero, NullLogger.Instance)
        {
            ListPageSize = 3,
        };
        await RunUntilSyncedAsync(watcher, () => Task.CompletedTask);

        Assert.Equal(7, watcher.Cache.List().Count(p => p.Metadata.NamespaceProperty == cluster.Namespace));
        Assert.Equal(["3", "3", "3"], calls.Lists.Select(c => c.Limit));
        Assert.Null(watcher.Cache.Get(cluster.Namespace, "p-0")!.Source!.Spec.Containers[0].Image); // trimmed
    }

    /// <summary>
    /// After the first page of each of the first <paramref name="expiringLists"/> lists, a function is created and the
    /// store compacted, so that list's continue token is refused (410 Expired) as after an etcd compaction.
    /// </summary>
    private static async Task<(ResourceWatcher<HandoffFunction> Watcher, ListCall[] Lists, string Namespace)> ListWithExpiringTokensAsync(int expiringLists)
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        await CreateFunctionsAsync(cluster, 25);
        var calls = new ListCalls(HandoffApi.FunctionPlural);
        var expired = 0;
        calls.AfterPage = async call =>
        {
            if (call.Continue is null && expired < expiringLists)
            {
                await cluster.CreateFunctionAsync(SandboxCluster.Function($"late-{expired++}"));
                cluster.Server.Faults.ExpireWatchHistory();
            }
        };
        var (watcher, client) = FunctionWatcher(cluster, calls, 10, CacheTransforms.Function);
        using (client)
        {
            await RunUntilSyncedAsync(watcher, () => Task.CompletedTask);
        }

        Assert.Equal(25 + expiringLists, watcher.Cache.Count);
        Assert.Equal(1, watcher.ListCount);
        return (watcher, calls.Lists, cluster.Namespace);
    }

    [Fact]
    public async Task A_continue_token_that_expires_mid_list_starts_the_list_again_from_the_first_page()
    {
        var (watcher, lists, ns) = await ListWithExpiringTokensAsync(1);

        Assert.Equal(
            [("10", false, HttpStatusCode.OK), ("10", true, HttpStatusCode.Gone), ("10", false, HttpStatusCode.OK), ("10", true, HttpStatusCode.OK), ("10", true, HttpStatusCode.OK)],
            lists.Select(c => (c.Limit, c.Continue is not null, c.Status)));
        Assert.NotNull(watcher.Cache.Get(ns, "late-0")); // created after the expired list's first page
    }

    [Fact]
    public async Task A_list_that_expires_again_after_its_restart_is_read_in_one_unpaged_request()
    {
        var (_, lists, _) = await ListWithExpiringTokensAsync(2);

        Assert.Equal(
            [("10", false, HttpStatusCode.OK), ("10", true, HttpStatusCode.Gone), ("10", false, HttpStatusCode.OK), ("10", true, HttpStatusCode.Gone), (null, false, HttpStatusCode.OK)],
            lists.Select(c => (c.Limit, c.Continue is not null, c.Status)));
    }

    [Fact]
    public async Task Undecodable_objects_on_every_page_are_all_reported_and_the_others_cached()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());

        // A CRD without its integer bounds lets out-of-range values in (as one stored before the schema bounded them).
        const string file = "handofffunctions.handoff.dev.yaml";
        var crd = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Crds, file), Ct);
        await cluster.Server.ApplyAsync(Int32Bound().Replace(crd, ""), file, Ct);
        for (var i = 0; i < 8; i++)
        {
            var name = $"f-{i:00}";
            if (i is 1 or 6)
            {
                await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                    KubernetesJson.Deserialize<object>($$$"""{"apiVersion":"handoff.dev/v1alpha1","kind":"HandoffFunction","metadata":{"name":"{{{name}}}"},"spec":{"maxRetries":3000000000}}"""),
                    HandoffApi.Group, HandoffApi.Version, cluster.Namespace, HandoffApi.FunctionPlural, cancellationToken: Ct);
            }
            else
            {
                await cluster.CreateFunctionAsync(SandboxCluster.Function(name));
            }
        }

        await cluster.Server.ApplyPathAsync(RepoPaths.Crds, Ct);
        var calls = new ListCalls(HandoffApi.FunctionPlural);
        var (watcher, client) = FunctionWatcher(cluster, calls, 3, CacheTransforms.Function);
        using (client)
        {
            await RunUntilSyncedAsync(watcher, () => Task.CompletedTask);
        }

        Assert.Equal(3, calls.Lists.Length);
        Assert.Equal(["f-01", "f-06"], watcher.Invalid.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(watcher.Invalid, i => Assert.Contains("$.spec.maxRetries", i.Problem, StringComparison.Ordinal));
        Assert.Equal(["f-00", "f-02", "f-03", "f-04", "f-05", "f-07"], watcher.Cache.List().Select(f => f.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"(?m)^\s*maximum: 2147483647\.0\r?\n")]
    private static partial Regex Int32Bound();
}
