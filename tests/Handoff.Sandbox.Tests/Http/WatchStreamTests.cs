using System.Net.Http.Headers;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Http;

/// <summary>Watch streams: 410 for an expired resourceVersion, bookmarks, an informer loop across forced disconnects, table rows for kubectl get -w.</summary>
public sealed class WatchStreamTests : EmulatorTest
{
    protected override SandboxOptions Options => new() { BookmarkInterval = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task A_watch_resumed_from_an_expired_resourceVersion_gets_410_Expired()
    {
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" } }, "default", cancellationToken: Ct);
        Server.Faults.ExpireWatchHistory();
        var errors = new List<Exception>();
        var events = new List<WatchEventType>();
        await foreach (var (type, _) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion,
            onError: e => errors.Add(e), cancellationToken: Ct))
        {
            events.Add(type);
        }

        Assert.Empty(events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
    }

    [Fact]
    public async Task Bookmarks_arrive_when_asked_for_and_timeoutSeconds_ends_the_watch()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        var rv = Server.ResourceVersion;
        using var response = await http.GetAsync(new Uri($"api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion={rv}", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var bookmark = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("BOOKMARK", bookmark.GetProperty("type").GetString());
        Assert.Equal("Pod", bookmark.GetProperty("object").GetProperty("kind").GetString());
        Assert.True(long.Parse(bookmark.GetProperty("object").GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= rv);
    }

    [Fact]
    public async Task An_informer_loop_survives_forced_disconnects_by_resuming_or_relisting()
    {
        var state = new Dictionary<string, string>();
        var resourceVersion = "";

        async Task RelistAsync()
        {
            var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
            state.Clear();
            foreach (var item in list.Items)
            {
                state[item.Metadata.Name] = item.Metadata.ResourceVersion;
            }

            resourceVersion = list.Metadata.ResourceVersion;
        }

        // One watch session: apply events until the server closes the stream; false when it answered 410.
        async Task<bool> WatchUntilClosedAsync(Action? whileOpen = null)
        {
            var expired = false;
            var opened = false;
            await foreach (var (type, cm) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: resourceVersion, allowWatchBookmarks: true,
                onError: e => expired |= e is KubernetesException { Status.Code: 410 }, cancellationToken: Ct))
            {
                if (type == WatchEventType.Deleted)
                {
                    state.Remove(cm.Metadata.Name);
                }
                else if (type != WatchEventType.Bookmark)
                {
                    state[cm.Metadata.Name] = cm.Metadata.ResourceVersion;
                }

                resourceVersion = cm.Metadata.ResourceVersion;
                if (!opened)
                {
                    opened = true;
                    whileOpen?.Invoke();
                }
            }

            return !expired;
        }

        await RelistAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "default", cancellationToken: Ct);

        // 1: the server drops every watch; the loop resumes from the last resourceVersion and misses nothing.
        Assert.True(await WatchUntilClosedAsync(() => Server.Faults.CloseAllWatches()));
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, "default", cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        Assert.True(await WatchUntilClosedAsync(() => Server.Faults.CloseAllWatches()));
        Assert.Equal(["b"], state.Keys.Where(k => k.Length == 1).Order(StringComparer.Ordinal));

        // 2: changes while disconnected and the history expired: resume answers 410, the loop re-lists.
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "default", cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("b", "default", cancellationToken: Ct);
        Server.Faults.ExpireWatchHistory();
        Assert.False(await WatchUntilClosedAsync());
        await RelistAsync();
        Assert.Equal(["c"], state.Keys.Where(k => k.Length == 1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task kubectl_style_table_watch_carries_one_row_per_event()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/v1/nodes?watch=true&timeoutSeconds=1", UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement.GetProperty("object");
        Assert.Equal("Table", first.GetProperty("kind").GetString());
        Assert.Equal(["Name", "Status", "Roles", "Age", "Version"], first.GetProperty("columnDefinitions").EnumerateArray().Take(5).Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("Ready", first.GetProperty("rows")[0].GetProperty("cells")[1].GetString());
    }
}
