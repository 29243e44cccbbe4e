using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Http;

/// <summary>
/// Paginated lists beyond the contract suite: a continue token whose snapshot the store no longer keeps answers 410
/// Expired, as the API server does once etcd has compacted the revision (a k3s test cannot force that compaction).
/// </summary>
public sealed class ListPagingTests : EmulatorTest
{
    private async Task CreateConfigMapsAsync(params string[] names)
    {
        foreach (var name in names)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, "default", cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task A_continue_token_older_than_the_kept_history_gets_410_Expired_and_a_new_list_works()
    {
        await CreateConfigMapsAsync("a", "b", "c");
        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 1, cancellationToken: Ct);
        await CreateConfigMapsAsync("d");
        Server.Faults.ExpireWatchHistory();

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 1, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Gone, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((410, "Expired"), (status.Code, status.Reason));
        Assert.Contains("start the list again without continue", status.Message, StringComparison.Ordinal);

        var again = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, cancellationToken: Ct);
        Assert.Equal(["a", "b", "c", "d"], again.Items.Select(c => c.Metadata.Name));
    }

    [Fact]
    public async Task A_token_still_within_the_history_reads_its_snapshot_even_after_a_later_compaction_point()
    {
        await CreateConfigMapsAsync("a", "b", "c");
        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 1, cancellationToken: Ct);

        // Compacting at the snapshot's own version keeps it readable (etcd keeps the compacted revision itself).
        Server.Faults.ExpireWatchHistory();
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("b", "default", cancellationToken: Ct);
        var rest = await Client.CoreV1.ListNamespacedConfigMapAsync("default", continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        Assert.Equal(["b", "c"], rest.Items.Select(c => c.Metadata.Name));
        Assert.Equal(first.Metadata.ResourceVersion, rest.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_namespaced_list_pages_through_its_namespace_only_whatever_the_neighbouring_names()
    {
        foreach (var ns in new[] { "tea", "team", "team0", "team-a" })
        {
            await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: Ct);
            foreach (var name in new[] { "x", "y", "z" })
            {
                await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: Ct);
            }
        }

        var names = new List<string>();
        var remaining = new List<long?>();
        string? token = null;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync("team", limit: 1, continueParameter: token, cancellationToken: Ct);
            names.AddRange(page.Items.Select(c => $"{c.Metadata.NamespaceProperty}/{c.Metadata.Name}"));
            remaining.Add(page.Metadata.RemainingItemCount);
            token = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));
        Assert.Equal(["team/x", "team/y", "team/z"], names);
        Assert.Equal([2, 1, null], remaining);
    }

    [Fact]
    public async Task Remaining_item_count_is_left_out_when_a_selector_filters_the_list()
    {
        await CreateConfigMapsAsync("a", "b", "c");
        var filtered = await Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name!=z", limit: 1, cancellationToken: Ct);
        Assert.NotNull(filtered.Metadata.ContinueProperty);
        Assert.Null(filtered.Metadata.RemainingItemCount);
    }

    [Fact]
    public async Task A_malformed_continue_token_is_a_bad_request()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.ListNamespacedConfigMapAsync("default", continueParameter: "bm90IGEgdG9rZW4=", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
    }
}
